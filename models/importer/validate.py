"""Checking one sheet against its table: every cell parsed with polars expressions, every problem collected
(row, column, value, what is accepted), links and keys checked against the database and the import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import NoReturn

import polars as pl
from polars.datatypes import DataType, DataTypeClass

from data import codes, vocabulary
from models import _tabular, mapping, references, values
from models.importer.messages import (
    DUPLICATE_COLUMN,
    DUPLICATE_KEY,
    END_BEFORE_START,
    MAX_SHOWN_VALUE,
    MISSING_COLUMN,
    NOT_A_GROUP,
    OTHER_ORGANISATION,
    RAGGED_ROW,
    RANK_TAKEN,
    REQUIRED,
    TOO_LONG,
    UNKNOWN_CODE,
    UNKNOWN_LINK,
)
from models.importer.parse import (
    Bad,
    accepted_text,
    code_table,
    int_parser,
    parse_bool,
    parse_catchment,
    parse_date,
    parse_local_authority,
    parse_money,
    parse_number,
    parse_time,
)
from models.importer.report import PROBLEM_SCHEMA, TableCounts
from models.importer.specs import HEADER_MAPS, LINK_WHAT, Column, TableSpec

PolarsDataType = DataType | DataTypeClass  # a dtype or its class (pl.String or pl.String())


@dataclass
class Lookups:
    """What rows may refer to: references known in the database, per kind, and those arriving in this import;
    the organisation's levels; the code of the organisation being imported into."""

    refs: dict[str, pl.DataFrame]  # people/activities/meetings -> frame(ref, id)
    levels: dict[str, str]  # folded key or name -> level key
    level_ids: dict[str, int] = field(default_factory=dict)  # level key -> id, in the database
    level_ranks: dict[str, int] = field(default_factory=dict)  # level key -> rank, in the database
    organisation_code: str | None = None
    incoming: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class Validated:
    spec: TableSpec
    sheet: _tabular.Sheet
    frame: pl.DataFrame  # typed columns by header name, plus _row
    problems: pl.DataFrame
    counts: TableCounts


def _problem_rows(
    frame: pl.DataFrame,
    mask: pl.Expr,
    column: str,
    problem: str | pl.Expr,
    accepted: str,
    value: pl.Expr | None = None,
) -> pl.DataFrame:
    value_expr = value if value is not None else pl.col(column) if column in frame.columns else pl.lit(None)
    return frame.filter(mask).select(
        pl.col("_row").cast(pl.Int64).alias("row"),
        pl.lit(column).alias("column"),
        value_expr.cast(pl.String).str.slice(0, MAX_SHOWN_VALUE).alias("value"),
        (problem if isinstance(problem, pl.Expr) else pl.lit(problem)).cast(pl.String).alias("problem"),
        pl.lit(accepted).alias("accepted"),
    )


def _map_distinct(
    series: pl.Series, parse: Callable[[str], object], dtype: PolarsDataType
) -> tuple[pl.Series, dict[str, str]]:
    """Parse each distinct value once; returns the parsed column and {bad value: problem}."""
    good: dict[str, object] = {}
    bad: dict[str, str] = {}
    for value in series.drop_nulls().unique().to_list():
        try:
            good[value] = parse(value)
        except Bad as error:
            bad[value] = error.problem
    parsed = series.replace_strict(good, default=None, return_dtype=dtype).alias(series.name)
    return parsed, bad


def _raw_frame(
    spec: TableSpec, sheet: _tabular.Sheet, label: str
) -> tuple[pl.DataFrame, list[pl.DataFrame], list[str]]:
    """Cells of the known columns (cleaned, blank = null) by header name; header problems; ignored headers."""
    mapping = HEADER_MAPS[spec.name]
    positions: dict[str, list[int]] = {}
    ignored = []
    for index, header in enumerate(sheet.headers):
        name = mapping.get(vocabulary.key(header))
        if name is None:
            if header.strip():
                ignored.append(f"column '{header.strip()[:60]}' of {label}")
            continue
        positions.setdefault(name, []).append(index)
    problems = []
    columns: dict[str, list[str]] = {}
    for name, found in positions.items():
        if len(found) > 1:
            shown = ", ".join(f"'{sheet.headers[i]}'" for i in found)
            problems.append(
                pl.DataFrame(
                    {
                        "row": [1],
                        "column": [name],
                        "value": [shown],
                        "problem": [DUPLICATE_COLUMN.format(names=shown)],
                        "accepted": ["one column for each field"],
                    }
                )
            )
        columns[name] = [row[found[0]] for row in sheet.rows]
    for column in spec.columns:
        if column.required and column.name not in positions:
            variants = ", ".join(f"'{v}'" for v in (column.name, *column.aliases[:3]))
            problems.append(
                pl.DataFrame(
                    {
                        "row": [1],
                        "column": [column.name],
                        "value": [None],
                        "problem": [MISSING_COLUMN],
                        "accepted": [f"a column headed {variants}"],
                    },
                    schema={k: PROBLEM_SCHEMA[k] for k in ("row", "column", "value", "problem", "accepted")},
                )
            )
    frame = pl.DataFrame(
        {"_row": sheet.row_numbers, **columns}, schema={"_row": pl.Int64, **{n: pl.String for n in columns}}
    )
    cleaned = [
        pl.when(pl.col(n).str.contains(r"^'[=+\-@\t\r]"))
        .then(pl.col(n).str.slice(1))
        .otherwise(pl.col(n))
        .str.strip_chars()
        .alias(n)
        for n in columns
    ]
    frame = frame.with_columns(cleaned).with_columns(
        [pl.when(pl.col(n) == "").then(None).otherwise(pl.col(n)).alias(n) for n in columns]
    )
    missing = [pl.lit(None, dtype=pl.String).alias(c.name) for c in spec.columns if c.name not in columns]
    return frame.with_columns(missing), problems, ignored


def _parse_column(
    frame: pl.DataFrame, spec: TableSpec, column: Column, lookups: Lookups, *, present: bool
) -> tuple[pl.Series, list[pl.DataFrame]]:
    """The typed column and its problems (unparseable values and blanks in required columns)."""
    raw = frame.get_column(column.name)
    accepted = accepted_text(column, spec)
    problems: list[pl.DataFrame] = []
    kind = column.kind
    if kind in {"ref", "text", "link", "group"}:
        parsed = raw
        if column.max_length:
            too_long = pl.col(column.name).str.len_chars() > column.max_length
            problems.append(
                _problem_rows(
                    frame,
                    too_long,
                    column.name,
                    pl.format(
                        TOO_LONG.format(length="{}", limit=column.max_length),
                        pl.col(column.name).str.len_chars(),
                    ),
                    accepted,
                )
            )
        bad: dict[str, str] = {}
    elif kind == "characteristic":
        table = vocabulary.ALIASES[column.name]
        if column.required:
            parsed, bad = _map_distinct(
                raw, lambda v: table.get(vocabulary.key(v)) or _raise(UNKNOWN_CODE), pl.String
            )
        else:
            filled = raw.fill_null("")
            parsed, bad = _map_distinct(
                filled, lambda v: table.get(vocabulary.key(v)) or _raise(UNKNOWN_CODE), pl.String
            )
            parsed = parsed.alias(column.name)
    elif kind == "code":
        table = code_table(column.code_list or {}) | values.code_words(spec.name, column.name)
        parsed, bad = _map_distinct(
            raw, lambda v: table.get(vocabulary.key(v)) or _raise(UNKNOWN_CODE), pl.String
        )
    elif kind == "local_authority":
        parsed, bad = _map_distinct(raw.fill_null(codes.NOT_KNOWN), parse_local_authority, pl.String)
    elif kind == "level":
        parsed, bad = _map_distinct(
            raw, lambda v: lookups.levels.get(vocabulary.key(v)) or _raise(UNKNOWN_CODE), pl.String
        )
    elif kind == "organisation":
        own = lookups.organisation_code
        parsed, bad = _map_distinct(
            raw, lambda v: v if v == own else _raise(OTHER_ORGANISATION.format(code=own)), pl.String
        )
    elif kind == "number":
        parsed, bad = _map_distinct(raw, parse_number, pl.Float64)
    elif kind == "catchment":
        parsed, bad = _map_distinct(raw, parse_catchment, pl.String)
    elif kind == "date":
        today = date.today()
        parsed, bad = _map_distinct(raw, lambda v: parse_date(v, today=today), pl.Date)
    elif kind == "any_date":
        parsed, bad = _map_distinct(raw, lambda v: parse_date(v, today=date.max), pl.Date)
    elif kind == "time":
        parsed, bad = _map_distinct(raw, parse_time, pl.Time)
    elif kind == "bool":
        parsed, bad = _map_distinct(raw, parse_bool, pl.Boolean)
    elif kind == "int":
        parsed, bad = _map_distinct(raw, int_parser(column), pl.Int64)
    elif kind == "money":
        parsed, bad = _map_distinct(raw, parse_money, pl.String)
    else:  # pragma: no cover - a spec error
        raise AssertionError(kind)
    if bad:
        problems.append(
            _problem_rows(
                frame,
                pl.col(column.name).is_in(list(bad)),
                column.name,
                pl.col(column.name).replace_strict(bad, default=None),
                accepted,
            )
        )
    if column.default is not None:
        parsed = parsed.fill_null(pl.lit(column.default, dtype=parsed.dtype))
    if column.required and present:
        problems.append(_problem_rows(frame, pl.col(column.name).is_null(), column.name, REQUIRED, accepted))
    return parsed.alias(column.name), problems


def _raise(problem: str) -> NoReturn:
    raise Bad(problem)


def _unrecognised_problems(spec: TableSpec, sheet: _tabular.Sheet) -> list[pl.DataFrame]:
    """A heading the table does not know is a problem to resolve (map it, or mark it ignore), never dropped."""
    known = HEADER_MAPS[spec.name]
    unknown = [h.strip()[:MAX_SHOWN_VALUE] for h in sheet.headers if h.strip() and vocabulary.key(h) not in known]
    if not unknown:
        return []
    return [
        pl.DataFrame(
            {
                "row": [1] * len(unknown),
                "column": unknown,
                "value": [None] * len(unknown),
                "problem": [mapping.UNRECOGNISED] * len(unknown),
                "accepted": [mapping.accepted_for_unrecognised()] * len(unknown),
            },
            schema={k: PROBLEM_SCHEMA[k] for k in ("row", "column", "value", "problem", "accepted")},
        )
    ]


def validate_sheet(
    spec: TableSpec, sheet: _tabular.Sheet, *, file_name: str, lookups: Lookups, ignored: list[str]
) -> Validated:
    label = f"sheet '{sheet.name}'" if sheet.name else file_name
    frame, problems, _unknown = _raw_frame(spec, sheet, label)
    frame, reference_problems = references.check(  # pseudonyms only, one spelling each, no look-alikes
        frame,
        table=spec.name,
        columns=[(c.name, c.kind, c.link) for c in spec.columns],
        known={t: [*f.get_column("ref").to_list(), *sorted(lookups.incoming.get(t, ()))]
               for t, f in lookups.refs.items()},
    )
    problems.extend(reference_problems)
    present = {vocabulary.key(h) for h in sheet.headers}
    present = {HEADER_MAPS[spec.name][h] for h in present if h in HEADER_MAPS[spec.name]}
    problems.extend(_unrecognised_problems(spec, sheet))
    if sheet.ragged:
        rows, cells = zip(*sheet.ragged, strict=True)
        problems.append(
            pl.DataFrame(
                {
                    "row": list(rows),
                    "column": [None] * len(rows),
                    "value": [None] * len(rows),
                    "problem": [RAGGED_ROW.format(cells=c, headers=len(sheet.headers)) for c in cells],
                    "accepted": ["one cell per column; remove the extra cells or add a heading"] * len(rows),
                },
                schema={k: PROBLEM_SCHEMA[k] for k in ("row", "column", "value", "problem", "accepted")},
            )
        )
    typed = []
    for column in spec.columns:
        series, column_problems = _parse_column(frame, spec, column, lookups, present=column.name in present)
        typed.append(series)
        problems.extend(column_problems)
    parsed = pl.DataFrame([frame.get_column("_row"), *typed])
    if spec.name == "involvements":
        parsed = parsed.with_columns(
            pl.coalesce(
                pl.col("ref"),
                pl.concat_str(
                    [pl.col("person_ref"), pl.col("activity_ref"), pl.col("start_date").cast(pl.String)],
                    separator="|",
                ),
            ).alias("ref")
        )
    if spec.name == "baselines":
        parsed, group_problems = _baseline_groups(parsed, spec)
        problems.extend(group_problems)
    if spec.name == "levels":
        problems.extend(_rank_problems(parsed, spec, lookups))
    for start, end in spec.date_pairs:
        words = start.replace("_", " ")
        problem = pl.format(END_BEFORE_START.format(start=words, value="{}"), pl.col(start).cast(pl.String))
        problems.append(
            _problem_rows(
                parsed,
                pl.col(end) < pl.col(start),
                end,
                problem,
                f"a date on or after the {words}",
                pl.col(end),
            )
        )
    problems.extend(_link_problems(parsed, spec, lookups))
    problems.extend(_duplicate_problems(parsed, spec))
    problems = [p for p in problems if p.height]
    table_problems = (
        pl.concat(problems, how="vertical_relaxed")
        if problems
        else pl.DataFrame(
            schema={k: PROBLEM_SCHEMA[k] for k in ("row", "column", "value", "problem", "accepted")}
        )
    )
    header_broken = table_problems.filter(pl.col("row") == 1).height > 0
    rejected = parsed.height if header_broken else table_problems.filter(pl.col("row") > 1)["row"].n_unique()
    counts = TableCounts(table=spec.name, sheet=sheet.name, rows_read=parsed.height, rejected=rejected)
    return Validated(spec=spec, sheet=sheet, frame=parsed, problems=table_problems, counts=counts)


def _group_code(characteristic: str, raw: str) -> str:
    """A baseline group as Presence codes it: the person field's code, or a broad ethnic group's name."""
    if characteristic == "ethnicity_broad":
        found = {vocabulary.key(g): g for g in codes.BROAD_GROUPS}.get(vocabulary.key(raw))
    else:
        found = vocabulary.try_normalise(characteristic, raw)
    if found is None:
        raise Bad(NOT_A_GROUP.format(characteristic=characteristic))
    return found


def _baseline_groups(parsed: pl.DataFrame, spec: TableSpec) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Each (characteristic, group) pair mapped once to its code; a group that does not map is a problem."""
    pairs = parsed.select("characteristic", "group").drop_nulls().unique()
    mapped = []
    for characteristic, raw in pairs.iter_rows():
        try:
            mapped.append((characteristic, raw, _group_code(characteristic, raw)))
        except Bad:
            continue
    codes_frame = pl.DataFrame(
        mapped, schema={"characteristic": pl.String, "group": pl.String, "_group": pl.String}, orient="row"
    )
    joined = parsed.join(codes_frame, on=["characteristic", "group"], how="left", maintain_order="left")
    unmapped = (
        pl.col("characteristic").is_not_null() & pl.col("group").is_not_null() & pl.col("_group").is_null()
    )
    problem = pl.format(NOT_A_GROUP.replace("{characteristic}", "{}"), pl.col("characteristic"))
    problems = [_problem_rows(joined, unmapped, "group", problem, accepted_text(spec.column("group"), spec))]
    return joined.with_columns(pl.coalesce("_group", "group").alias("group")).drop("_group"), problems


def _rank_problems(parsed: pl.DataFrame, spec: TableSpec, lookups: Lookups) -> list[pl.DataFrame]:
    """A level whose rank another level (in the file, or in the database and not in the file) also has."""
    incoming = parsed.filter(pl.col("key").is_not_null() & pl.col("rank").is_not_null())
    stored = pl.DataFrame(
        {"key": list(lookups.level_ranks), "rank": list(lookups.level_ranks.values())},
        schema={"key": pl.String, "rank": pl.Int64},
    ).filter(~pl.col("key").is_in(incoming.get_column("key").implode()))
    final = pl.concat([incoming.select("key", "rank"), stored]).rename({"key": "_other"})
    clashes = (
        incoming.join(final, on="rank", how="inner")
        .filter(pl.col("_other") != pl.col("key"))
        .sort("_row", "_other")
        .unique(subset="_row", keep="first", maintain_order=True)
    )
    problem = pl.format(RANK_TAKEN.replace("{other}", "{}"), pl.col("_other"))
    return [_problem_rows(clashes, pl.lit(True), "rank", problem, accepted_text(spec.column("rank"), spec))]


def _link_problems(parsed: pl.DataFrame, spec: TableSpec, lookups: Lookups) -> list[pl.DataFrame]:
    out = []
    for column in spec.columns:
        if column.kind != "link":
            continue
        target = column.link or "people"
        known = lookups.refs[target].get_column("ref")
        incoming = pl.Series(sorted(lookups.incoming.get(target, set())), dtype=pl.String)
        missing = (
            pl.col(column.name).is_not_null()
            & ~pl.col(column.name).is_in(known.implode())
            & ~pl.col(column.name).is_in(incoming.implode())
        )
        problem = pl.format(UNKNOWN_LINK.format(what=LINK_WHAT[target], ref="{}"), pl.col(column.name))
        out.append(_problem_rows(parsed, missing, column.name, problem, accepted_text(column, spec)))
    return out


def _duplicate_problems(parsed: pl.DataFrame, spec: TableSpec) -> list[pl.DataFrame]:
    key = list(spec.key)
    keyed = parsed.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in key))
    duplicated = keyed.filter(pl.struct(key).is_duplicated())
    if not duplicated.height:
        return []
    rows = duplicated.group_by(key).agg(pl.col("_row").sort().alias("_rows"))
    shown = duplicated.join(rows, on=key, how="left", nulls_equal=True).with_columns(
        pl.col("_rows").list.head(10).cast(pl.List(pl.String)).list.join(", ").alias("_shown")
    )
    value = pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=" / ")
    problem = pl.format(DUPLICATE_KEY.replace("{rows}", "{}"), pl.col("_shown"))
    return [
        _problem_rows(
            shown, pl.lit(True), " + ".join(key), problem, "each " + " + ".join(key) + " once per file", value
        )
    ]
