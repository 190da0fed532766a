"""Published or exported involvement counts compared with a baseline, read from files (``presence analyse``).

    presence analyse --involved FILE.csv --baseline FILE.csv|census:AREA_CODE|need:AREA_CODE [--alpha 0.05]
                     [--threshold 0.8] [--format json|csv]

``--involved`` has columns ``group,count`` and optionally ``level`` and ``period``; ``--baseline`` has
``group`` and one of ``count``, ``share`` (0-1) or ``percent`` (0-100), or is ``census:AREA_CODE`` for the
shipped Census 2021 ethnicity figures of a local authority, region, ICB or country (residents at the
``PRESENCE_BASELINE_MIN_AGE`` floor, 18 by default), or ``need:AREA_CODE`` for the same figures weighted by each
group's Mental Health Act detention rate (2023-24). Groups match
case-insensitively, ignoring surrounding spaces; for ethnicity NHS codes, ONS 2021 names and short names are
all recognised, and labels meaning unknown (not stated, not known, prefer not to say, unknown, Z, 99) are
counted as unknown. Row numbers in messages are the file's line numbers, the header being row 1.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from analytics import analyse_checks as checks
from analytics import columns as C
from analytics.baselines import (
    _census_description,
    _means_unknown,
    broad_group,
    census_counts,
    need_weighted_counts,
)
from analytics.baselines import shares as normalised_shares
from analytics.stats import compare_with_baseline
from data import codes, vocabulary

LEVEL = "level"
ALL = "all"
ANALYSE_ROW_COLUMNS = (
    LEVEL,
    C.PERIOD,
    C.GROUP,
    C.GROUP_LABEL,
    C.INVOLVED,
    C.TOTAL,
    C.SHARE,
    C.BASELINE_SHARE,
    C.RATIO,
    C.GAP_PP,
    C.EXPECTED,
    C.SHORTFALL,
    C.Z,
    C.CI_LOW,
    C.CI_HIGH,
    C.P_VALUE,
    C.P_ADJUSTED,
    C.STATUS,
)
ANALYSE_TABLE_COLUMNS = (LEVEL, C.PERIOD, C.PEOPLE, C.TOTAL, C.UNKNOWN, C.DECLARATION_RATE)

ERROR_EMPTY = "{file}: the file is empty."
ERROR_NOT_TEXT = "{file}: the file is not a UTF-8 text CSV file."
ERROR_NO_COLUMN = "{file}, row 1: there is no '{column}' column (the columns are: {found})."
ERROR_NO_VALUE_COLUMN = (
    "{file}, row 1: a baseline needs a 'count', 'share' or 'percent' column (the columns are: {found})."
)
ERROR_WHOLE = checks.ERROR_COUNT_WHOLE  # the checks on numbers and cells live in analytics/analyse_checks.py
ERROR_NEGATIVE = checks.ERROR_NEGATIVE
ERROR_NUMBER = checks.ERROR_NOT_NUMBER
ERROR_SHARE_RANGE = checks.ERROR_SHARE_RANGE
ERROR_PERCENT_RANGE = checks.ERROR_PERCENT_RANGE
ERROR_NO_ROWS = "{file}: the file has a header but no rows."
ERROR_NO_KNOWN_BASELINE = "{file}: the baseline has no known group with a figure above 0."
ERROR_CENSUS_CODE = "--baseline census: needs an area code after the colon, for example census:E09000007."
ERROR_NEED_CODE = "--baseline need: needs an area code after the colon, for example need:E92000001."

_KIND = "_kind"  # "known" or "unknown"
_KEY = "_key"


# --- Reading files -----------------------------------------------------------------------------------------


def _read_csv(path: str | Path) -> tuple[str, list[str], list[tuple[int, dict[str, str]]]]:
    """(file name, lower-case header, [(row number, row)]) of a small aggregated CSV table."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ValueError(f"{name}: the file does not exist.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(ERROR_NOT_TEXT.format(file=name)) from error
    if not text.strip():
        raise ValueError(ERROR_EMPTY.format(file=name))
    reader = csv.reader(text.splitlines())
    rows = []
    try:
        header = [h.strip().lower() for h in next(reader)]
        checks.check_cells(name, 1, header)
        for number, cells in enumerate(reader, start=2):
            checks.check_cells(name, number, cells)
            if not any(c.strip() for c in cells):
                continue
            rows.append(
                (number, {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)})
            )
    except csv.Error as error:
        reason = checks.shown(" ".join(str(error).split()), 80)
        raise ValueError(checks.ERROR_CSV.format(file=name, row=reader.line_num, reason=reason)) from None
    if not rows:
        raise ValueError(ERROR_NO_ROWS.format(file=name))
    return name, header, rows


def _require(name: str, header: list[str], column: str) -> None:
    if column not in header:
        raise ValueError(ERROR_NO_COLUMN.format(file=name, column=column, found=", ".join(header)))


def read_involved(path: str | Path) -> pl.DataFrame:
    """level, period, label, count from an involved-counts CSV (``ValueError`` names file, row, problem)."""
    name, header, rows = _read_csv(path)
    _require(name, header, C.GROUP)
    _require(name, header, "count")
    records = []
    for number, row in rows:
        count = checks.parse_count(name, number, row["count"])
        records.append((row.get(LEVEL) or ALL, row.get(C.PERIOD) or ALL, row[C.GROUP], count))
    checks.check_total(name, [r[3] for r in records])
    return pl.DataFrame(
        records,
        schema={LEVEL: pl.String, C.PERIOD: pl.String, "label": pl.String, "count": pl.Int64},
        orient="row",
    )


def read_baseline(spec: str) -> tuple[pl.DataFrame, str, str]:
    """(label, count) table, its description, and the level its labels are at ("ethnicity", "ethnicity_broad"
    or "" for labels to be recognised) from a baseline CSV or ``census:AREA_CODE``."""
    if spec.lower().startswith("need:"):
        return _need_baseline(spec)
    if spec.lower().startswith("census:"):
        code = spec.split(":", 1)[1].strip()
        if not code:
            raise ValueError(ERROR_CENSUS_CODE)
        try:
            raw, level = census_counts([code], "ethnicity_broad")
        except ValueError as error:
            raise ValueError(f"--baseline {spec}: {error}") from None
        table = raw.select(pl.col(C.GROUP).cast(pl.String).alias("label"), pl.col("count").cast(pl.Float64))
        return table, _census_description([code]), level
    name, header, rows = _read_csv(spec)
    _require(name, header, C.GROUP)
    column = next((c for c in ("count", "share", "percent") if c in header), None)
    if column is None:
        raise ValueError(ERROR_NO_VALUE_COLUMN.format(file=name, found=", ".join(header)))
    records = []
    for number, row in rows:
        value = row[column].rstrip("%").strip() if column == "percent" else row[column]
        records.append((row[C.GROUP], checks.parse_baseline_figure(name, number, column, value)))
    checks.check_total(name, [r[1] for r in records])
    table = pl.DataFrame(records, schema={"label": pl.String, "count": pl.Float64}, orient="row")
    return table, f"the baseline in {name} ({column} column)", ""


def _need_baseline(spec: str) -> tuple[pl.DataFrame, str, str]:
    """``need:AREA_CODE``: the area's Census counts x each group's detention rate (``need_weighted_counts``)."""
    code = spec.split(":", 1)[1].strip()
    if not code:
        raise ValueError(ERROR_NEED_CODE)
    try:
        figures = need_weighted_counts([code], "ethnicity_broad")
    except ValueError as error:
        raise ValueError(f"--baseline {spec}: {error}") from None
    if figures.counts.is_empty():
        raise ValueError(f"--baseline {spec}: {figures.description}.")
    table = figures.counts.select(pl.col(C.GROUP).cast(pl.String).alias("label"), pl.col("count").cast(pl.Float64))
    return table, figures.description, figures.level


# --- Recognising groups ------------------------------------------------------------------------------------


def _recognise(labels: list[str], level: str, chinese_as_asian: bool) -> dict[str, tuple[str, str | None]]:
    """label -> ("unknown", None) or ("known", group) at ``level`` ("ethnicity", "ethnicity_broad" or "")."""
    out: dict[str, tuple[str, str | None]] = {}
    for label in labels:  # distinct labels of two small aggregated files
        if _means_unknown(label):
            out[label] = ("unknown", None)
            continue
        if level == "ethnicity":
            code = vocabulary.try_normalise("ethnicity", label)
            known = code in codes.ETHNICITY_BY_CODE
            out[label] = ("known", code) if known else ("unknown", None)
        elif level == "ethnicity_broad":
            code = vocabulary.try_normalise("ethnicity", label)
            if code in codes.ETHNICITY_BY_CODE:
                group = codes.ethnicity_broad(code, chinese_as_asian=chinese_as_asian)
            else:
                group = broad_group(label)
            out[label] = ("known", group) if group else ("unknown", None)
        else:
            out[label] = ("known", vocabulary.key(label))
    return out


def _level_of(labels: list[str]) -> str:
    """The most detailed ethnicity level every known label is recognised at, or "" (not ethnicity)."""
    known = [label for label in labels if not _means_unknown(label)]
    if not known:
        return ""
    if all(vocabulary.try_normalise("ethnicity", x) in codes.ETHNICITY_BY_CODE for x in known):
        return "ethnicity"
    if all(
        vocabulary.try_normalise("ethnicity", x) in codes.ETHNICITY_BY_CODE or broad_group(x) for x in known
    ):
        return "ethnicity_broad"
    return ""


def _labels(level: str) -> dict[str, str]:
    if level == "ethnicity":
        return {c.code: c.label for c in codes.ETHNIC_CATEGORIES}
    if level == "ethnicity_broad":
        return {g: g for g in codes.BROAD_GROUPS}
    return {}


# --- The analysis ------------------------------------------------------------------------------------------


def analyse_counts(
    involved: pl.DataFrame,
    baseline: pl.DataFrame,
    *,
    baseline_level: str = "",
    alpha: float = 0.05,
    under_threshold: float = 0.8,
    confidence: float = 0.95,
    chinese_as_asian: bool = True,
    baseline_name: str = "the baseline",
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows (``ANALYSE_ROW_COLUMNS``) and tables (``ANALYSE_TABLE_COLUMNS``) for involved counts [level,
    period, label, count] against a baseline [label, count] (shares or percents work as counts)."""
    involved_labels = involved["label"].unique().to_list()
    baseline_labels = baseline["label"].unique().to_list()
    level = baseline_level or _level_of(baseline_labels)
    if level and _level_of(involved_labels) == "ethnicity_broad":
        level = "ethnicity_broad"  # compare at the coarser of the two levels
    if not level:
        level = ""
    label_map = _recognise(sorted(set(involved_labels) | set(baseline_labels)), level, chinese_as_asian)
    kinds = {k: v[0] for k, v in label_map.items()}
    groups = {k: v[1] for k, v in label_map.items() if v[1] is not None}
    ons_only = {c.code for c in codes.ETHNIC_CATEGORIES if c.code != c.nhs_fold}
    if level == "ethnicity" and not any(groups.get(x) in ons_only for x in involved_labels):
        # NHS records have no Gypsy or Irish Traveller, Roma or Arab code: fold the baseline the same way
        groups = {k: codes.ETHNICITY_BY_CODE[v].nhs_fold for k, v in groups.items()}
    display = _labels(level)
    if not display:  # free labels: show the first spelling seen, baseline first
        for label in baseline_labels + involved_labels:
            display.setdefault(vocabulary.key(label), label.strip())

    def tag(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(
            pl.col("label").replace_strict(kinds, return_dtype=pl.String).alias(_KIND),
            pl.col("label").replace_strict(groups, default=None, return_dtype=pl.String).alias(C.GROUP),
        )

    base = tag(baseline).filter(pl.col(_KIND) == "known").group_by(C.GROUP).agg(pl.col("count").sum())
    shares = normalised_shares(base.select(C.GROUP, "count"))  # the one normalisation (analytics.baselines)
    if shares.height == 0:
        raise ValueError(ERROR_NO_KNOWN_BASELINE.format(file=baseline_name))

    counted = tag(involved)
    order = counted.select(LEVEL, C.PERIOD).unique(maintain_order=True).with_row_index("_table")
    tables = (
        counted.group_by(LEVEL, C.PERIOD)
        .agg(
            pl.col("count").sum().alias(C.PEOPLE),
            pl.col("count").filter(pl.col(_KIND) == "known").sum().alias(C.TOTAL),
            pl.col("count").filter(pl.col(_KIND) == "unknown").sum().alias(C.UNKNOWN),
        )
        .join(order, on=[LEVEL, C.PERIOD])
        .sort("_table")
        .with_columns(
            pl.when(pl.col(C.PEOPLE) > 0)
            .then(pl.col(C.TOTAL) / pl.col(C.PEOPLE))
            .otherwise(None)
            .alias(C.DECLARATION_RATE)
        )
    )
    universe_order = (
        list(display)
        if level
        else list(
            dict.fromkeys(
                [vocabulary.key(x) for x in baseline_labels + involved_labels if kinds[x] == "known"]
            )
        )
    )
    present = set(shares[C.GROUP].to_list()) | set(
        counted.filter(pl.col(_KIND) == "known")[C.GROUP].to_list()
    )
    universe = pl.DataFrame({C.GROUP: [g for g in universe_order if g in present]}).with_row_index("_order")
    known = (
        counted.filter(pl.col(_KIND) == "known")
        .group_by(LEVEL, C.PERIOD, C.GROUP)
        .agg(pl.col("count").sum().alias(C.INVOLVED))
    )
    rows = (
        tables.select("_table", LEVEL, C.PERIOD, C.TOTAL)
        .join(universe, how="cross")
        .join(known, on=[LEVEL, C.PERIOD, C.GROUP], how="left")
        .join(shares, on=C.GROUP, how="left")
        .with_columns(
            pl.col(C.INVOLVED).fill_null(0),
            pl.col(C.GROUP).replace_strict(display, default=pl.col(C.GROUP)).alias(C.GROUP_LABEL),
        )
    )
    rows = compare_with_baseline(
        rows, table_keys=["_table"], alpha=alpha, under_threshold=under_threshold, confidence=confidence
    )
    return (rows.sort("_table", "_order").select(ANALYSE_ROW_COLUMNS), tables.select(ANALYSE_TABLE_COLUMNS))
