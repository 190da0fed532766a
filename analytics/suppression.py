"""Statistical disclosure control for the representation tables: the NHS secondary-care small-number rule.

What a restricted reader (board member, outreach worker, viewer) receives:

* **Primary suppression.** A count of 1 to ``settings.suppress_below - 1`` (1-7 by default) is hidden.
* **Rounding.** Every other count is rounded to the nearest ``settings.rounding_base`` (5): 8 -> 10, 12 -> 10,
  13 -> 15. Zero stays 0. Totals are computed from the unrounded data and then rounded, so they need not equal
  the sum of the rounded cells.
* **Secondary suppression.** A hidden cell must not be recoverable by subtraction. Every additive relation a
  reader can see is a *line*: within one level x period table, the groups add up to the people with a known
  value, and known + not stated + not known add up to everyone counted; the same group (or the same total)
  at the different levels of a period; the detailed ethnic categories of one broad group (whose total is the
  broad view), the ethnic-minority broad groups (whose total is the binary view); the cells of an
  intersectional table sharing one group of either characteristic (whose total is the single-characteristic
  view). A line with exactly one hidden cell gets a second: the smallest non-zero shown cell of the line. This
  is repeated until no line has exactly one.
* **Derived figures.** Shares, ratios, gaps, expected numbers, shortfalls, z, Wilson intervals and binomial
  p-values (Holm-adjusted) are recomputed from the *published* counts, so nothing shown carries more
  information than the published counts and the public baseline. A figure that needs a hidden count is null.
  The status (under, within range...) is the engine's judgement on the exact data, a category not a number.

How the result is represented (one choice, for tables, charts and downloads alike): count columns keep their
integer type and are **null where hidden**, with a boolean ``<column>_suppressed`` beside each count column, a
row-level ``suppressed`` flag (some figure of the row is hidden), ``rounded`` (counts rounded) and
``not_for_publication`` (True for the exact figures a data steward or equality lead sees). Charts plot the
nullable numbers (a hidden bar is simply absent); :func:`display_counts` turns count columns into the strings
a table or download shows ("*", "15").

A "*" never stands for zero: only counts of 1 or more are hidden, and the secondary cell chosen is never a
zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import stats

from analytics import columns as c
from data import codes
from models.settings import Settings, get_settings

SUPPRESSED_MARK = "*"
SUPPRESSED = "suppressed"
ROUNDED = "rounded"
NOT_FOR_PUBLICATION = "not_for_publication"
CROSS_SEPARATOR = " × "

ROW_COUNTS = (c.INVOLVED, c.TOTAL)
TABLE_COUNTS = (c.PEOPLE, c.TOTAL, c.UNKNOWN, c.NOT_STATED, c.NOT_KNOWN)
TABLE_KEY = (c.LEVEL_KEY, c.PERIOD, c.CHARACTERISTIC, c.INVOLVEMENT_FILTER)
LEVEL_LINE_KEY = (c.PERIOD, c.CHARACTERISTIC, c.INVOLVEMENT_FILTER, c.GROUP)

NOT_FOR_PUBLICATION_TEXT = (
    "Exact figures, not for publication: they include small numbers that could identify people. "
    "Share only the suppressed version."
)
SUPPRESSION_TEXT = (
    "Counts of 1 to {last} are shown as *, other counts are rounded to the nearest {base}, and a second "
    "count is hidden wherever a * could otherwise be worked out. Percentages are calculated from the "
    "rounded counts."
)

ERROR_MISSING = "The {what} frame has no column '{column}', which disclosure control needs."
ERROR_NEGATIVE = "The {what} frame has a negative count in column '{column}'."


def suppressed_flag(column: str) -> str:
    """Name of the boolean column that says ``column`` is hidden."""
    return f"{column}_suppressed"


def describe(settings: Settings | None = None) -> str:
    """The plain-English rule, for a footnote under every restricted table or chart."""
    settings = settings or get_settings()
    return SUPPRESSION_TEXT.format(last=settings.suppress_below - 1, base=settings.rounding_base)


# --- The two rules on single values
# --------------------------------------------------------------------------


def is_small(value: int, settings: Settings) -> bool:
    """True for a count that primary suppression hides (1 .. suppress_below - 1)."""
    return 1 <= value < settings.suppress_below


def round_count(value: int, base: int) -> int:
    """Nearest multiple of ``base`` (halves go up: with base 10, 15 -> 20)."""
    return ((int(value) + base // 2) // base) * base


def round_expr(expr: pl.Expr, base: int) -> pl.Expr:
    """:func:`round_count` as a polars expression (integers in, integers out, nulls kept)."""
    return ((expr.cast(pl.Int64) + base // 2) // base * base).cast(pl.Int64)


# --- Secondary suppression on cells and lines
# ----------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """Cells a reader can add up: ``parts`` sum to ``total`` (a cell id), or to a figure shown in another
    view."""

    parts: tuple[int, ...]
    total: int | None = None
    prefer_total: bool = False  # hide the total rather than a part (keeps a denominator shown)


def secondary_suppression(values: Sequence[int], hidden: Sequence[bool], lines: Iterable[Line]) -> list[bool]:
    """Hide more cells until no line has exactly one hidden cell; returns the new hidden flags.

    The cell added is the smallest non-zero shown part of the line (ties: the lower id), or the line's total
    when no part is left or the line prefers it (everyone counted = known + unknown hides "everyone" rather
    than "known", which is the denominator of every share). A line whose other cells are all zero needs
    nothing more: its hidden cell equals its total, which is then hidden too (or the line has no total shown).
    """
    hidden = list(hidden)
    lines = list(lines)
    changed = True
    while changed:
        changed = False
        for line in lines:
            members = line.parts + ((line.total,) if line.total is not None else ())
            if sum(hidden[m] for m in members) != 1:
                continue
            total_free = line.total is not None and not hidden[line.total] and values[line.total] > 0
            candidates = [p for p in line.parts if not hidden[p] and values[p] > 0]
            if total_free and (line.prefer_total or not candidates):
                candidates = [line.total]
            if candidates:
                hidden[min(candidates, key=lambda p: (values[p], p))] = True
                changed = True
    return hidden


# --- Lines of a representation
# -------------------------------------------------------------------------------


def _key(row: Mapping, names: Sequence[str]) -> tuple:
    return tuple(row.get(n) for n in names)


def table_key(rows: pl.DataFrame, tables: pl.DataFrame, extra_key: Sequence[str] = ()) -> list[str]:
    """The columns that name one level x period table, present in both frames (or in the rows alone)."""
    names = list(TABLE_KEY) + [k for k in extra_key if k not in TABLE_KEY]
    if tables.width and rows.width:
        return [k for k in names if k in rows.columns and k in tables.columns]
    if tables.width:
        return [k for k in names if k in tables.columns]
    return [k for k in names if k in rows.columns]


def _hierarchy_groups(characteristic: str | None, group: str, settings: Settings) -> list[tuple[str, str]]:
    """The (line name, line member) pairs a group belongs to besides its own table.

    A detailed ethnic category belongs to its broad group's line; a minority broad group to the minority line;
    a crossed group "A × B" to the line of every cell sharing A and to the line of every cell sharing B.
    """
    if CROSS_SEPARATOR in group:
        parts = group.split(CROSS_SEPARATOR)
        return [
            (f"cross:{i}:" + CROSS_SEPARATOR.join(parts[:i] + ["…"] + parts[i + 1 :]), group)
            for i in range(len(parts))
        ]
    if characteristic == "ethnicity":
        broad = codes.ethnicity_broad(group, chinese_as_asian=settings.chinese_as_asian)
        return [(f"broad:{broad}", group)] if broad is not None else []
    if characteristic == "ethnicity_broad" and group != codes.BROAD_WHITE:
        return [("minority", group)]
    return []


def representation_lines(
    rows: pl.DataFrame, tables: pl.DataFrame, settings: Settings, extra_key: Sequence[str] = ()
) -> tuple[list[int], list[bool], list[Line], dict[tuple, int], dict[tuple, int]]:
    """Cell values, which cells are already hidden (null), the lines, and the cell id of each row (by row
    index) and of each table count (by table key, column)."""
    values: list[int] = []
    missing: list[bool] = []
    row_cell: dict[tuple, int] = {}
    table_cell: dict[tuple, int] = {}

    def add(value) -> int:
        values.append(0 if value is None else int(value))
        missing.append(value is None)
        return len(values) - 1

    key_names = table_key(rows, tables, extra_key)
    present_counts = [col for col in TABLE_COUNTS if col in tables.columns]
    for row in tables.iter_rows(named=True):
        key = _key(row, key_names)
        for col in present_counts:
            table_cell[(key, col)] = add(row[col])

    groups_of_table: dict[tuple, list[int]] = {}
    level_lines: dict[tuple, list[int]] = {}
    hierarchy_lines: dict[tuple, list[int]] = {}
    level_key = [k for k in LEVEL_LINE_KEY if k in rows.columns]
    for index, row in enumerate(rows.iter_rows(named=True)):
        cell = add(row[c.INVOLVED])
        row_cell[(index,)] = cell
        key = _key(row, key_names)
        if (key, c.TOTAL) not in table_cell:  # rows without a tables frame: N is on every row
            table_cell[(key, c.TOTAL)] = add(row.get(c.TOTAL))
        groups_of_table.setdefault(key, []).append(cell)
        level_lines.setdefault(_key(row, level_key), []).append(cell)
        for name, _member in _hierarchy_groups(row.get(c.CHARACTERISTIC), str(row[c.GROUP]), settings):
            hierarchy_lines.setdefault((key, name), []).append(cell)

    lines: list[Line] = []
    for key, cells in groups_of_table.items():
        lines.append(Line(parts=tuple(cells), total=table_cell[(key, c.TOTAL)]))
    table_keys = list(dict.fromkeys(k for k, _col in table_cell))  # in order: the same data, the same choices
    across_levels: dict[tuple, list[int]] = {}
    for (key, col), cell_id in table_cell.items():
        other = tuple(v for name, v in zip(key_names, key, strict=True) if name != c.LEVEL_KEY)
        across_levels.setdefault((other, col), []).append(cell_id)
    for key in table_keys:
        cell = table_cell.get
        if all((key, col) in table_cell for col in (c.PEOPLE, c.TOTAL, c.UNKNOWN)):
            lines.append(
                Line(
                    parts=(cell((key, c.TOTAL)), cell((key, c.UNKNOWN))),
                    total=cell((key, c.PEOPLE)),
                    prefer_total=True,
                )
            )
        if all((key, col) in table_cell for col in (c.UNKNOWN, c.NOT_STATED, c.NOT_KNOWN)):
            lines.append(
                Line(
                    parts=(cell((key, c.NOT_STATED)), cell((key, c.NOT_KNOWN))), total=cell((key, c.UNKNOWN))
                )
            )
    lines.extend(Line(parts=tuple(cells)) for cells in level_lines.values() if len(cells) > 1)
    lines.extend(Line(parts=tuple(cells)) for cells in across_levels.values() if len(cells) > 1)
    lines.extend(Line(parts=tuple(cells)) for cells in hierarchy_lines.values() if len(cells) > 1)
    return values, missing, lines, row_cell, table_cell


# --- Derived figures from the published counts
# ---------------------------------------------------------------


def _wilson(n: np.ndarray, total: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    z = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = n / total
        denominator = 1 + z**2 / total
        centre = (p + z**2 / (2 * total)) / denominator
        half = z * np.sqrt(p * (1 - p) / total + z**2 / (4 * total**2)) / denominator
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def _binomial_p(n: np.ndarray, total: np.ndarray, p: np.ndarray) -> np.ndarray:
    out = np.full(len(n), np.nan)
    for i in range(len(n)):  # the aggregated table is small: one test per group row
        if (
            np.isfinite(n[i])
            and np.isfinite(total[i])
            and total[i] > 0
            and np.isfinite(p[i])
            and 0 < p[i] < 1
        ):
            out[i] = stats.binomtest(int(n[i]), int(total[i]), float(p[i])).pvalue
    return out


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values (NaN kept as NaN, not counted in the family)."""
    out = np.full(len(p_values), np.nan)
    finite = np.flatnonzero(np.isfinite(p_values))
    m = len(finite)
    if m == 0:
        return out
    order = finite[np.argsort(p_values[finite], kind="stable")]
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        out[index] = running
    return out


def _nan_to_null(values: np.ndarray) -> pl.Series:
    return pl.Series(values, dtype=pl.Float64).fill_nan(None)


def recompute_row_statistics(
    rows: pl.DataFrame, settings: Settings, extra_key: Sequence[str] = (), adjust: bool = True
) -> pl.DataFrame:
    """Share, ratio, gap, expected, shortfall, z, Wilson interval and p-values from the (published) counts.

    Null wherever a count is null, the total is zero or the baseline share is missing or 0/1. The Holm family
    is one table (the table key plus ``extra_key``); with ``adjust=False`` (a frame holding only some groups
    of each table, such as an outreach list) adjusted p-values are withheld (null) rather than adjusted over a
    wrong family.
    """
    n = rows[c.INVOLVED].cast(pl.Float64).fill_null(np.nan).to_numpy()
    total = rows[c.TOTAL].cast(pl.Float64).fill_null(np.nan).to_numpy()
    total = np.where(total > 0, total, np.nan)
    p = (
        rows[c.BASELINE_SHARE].cast(pl.Float64).fill_null(np.nan).to_numpy()
        if c.BASELINE_SHARE in rows.columns
        else np.full(len(rows), np.nan)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        share = n / total
        valid_p = np.where((p > 0) & (p < 1), p, np.nan)
        ratio = np.where(p > 0, share / p, np.nan)
        gap = (share - p) * 100
        expected = total * p
        shortfall = np.where(np.isfinite(expected - n), np.maximum(0, np.ceil(expected - n - 1e-9)), np.nan)
        z = (n - total * valid_p) / np.sqrt(total * valid_p * (1 - valid_p))
    low, high = _wilson(n, total, settings.confidence)
    p_value = _binomial_p(n, total, p)
    families: dict[tuple, list[int]] = {}
    key_names = [k for k in (*TABLE_KEY, *extra_key) if k in rows.columns]
    for index, row in enumerate(rows.select(key_names).iter_rows()):
        families.setdefault(row, []).append(index)
    p_adjusted = np.full(len(rows), np.nan)
    for members in families.values() if adjust else ():
        p_adjusted[members] = holm(p_value[members])
    computed = {
        c.SHARE: share,
        c.RATIO: ratio,
        c.GAP_PP: gap,
        c.EXPECTED: expected,
        c.SHORTFALL: shortfall,
        c.Z: z,
        c.CI_LOW: low,
        c.CI_HIGH: high,
        c.P_VALUE: p_value,
        c.P_ADJUSTED: p_adjusted,
    }
    replaced = []
    for name, array in computed.items():
        if name not in rows.columns:
            continue
        series = _nan_to_null(np.asarray(array, dtype=float)).alias(name)
        if name == c.SHORTFALL and rows.schema[name].is_integer():
            series = series.cast(pl.Int64)
        replaced.append(series)
    return rows.with_columns(replaced)


# --- The whole representation
# --------------------------------------------------------------------------------


def _check(frame: pl.DataFrame, what: str, required: Sequence[str]) -> None:
    for column in required:
        if column not in frame.columns:
            raise ValueError(ERROR_MISSING.format(what=what, column=column))
        if frame.height and frame[column].drop_nulls().lt(0).any():
            raise ValueError(ERROR_NEGATIVE.format(what=what, column=column))


def suppress_representation(
    rows: pl.DataFrame,
    tables: pl.DataFrame | None = None,
    settings: Settings | None = None,
    *,
    extra_key: Sequence[str] = (),
    adjust: bool = True,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The published version of a representation (rows, tables): suppressed, rounded, derived from published
    counts.

    ``rows`` has :data:`analytics.columns.ROW_COLUMNS` (at least group, involved, total and the table key);
    ``tables`` has :data:`analytics.columns.TABLE_COLUMNS` (None: the totals on the rows are used).
    ``extra_key`` adds columns that split tables further (an outreach list's activity). Null counts (already
    hidden upstream) stay hidden, so applying this twice changes nothing.
    """
    settings = settings or get_settings()
    _check(rows, "rows", (c.GROUP, c.INVOLVED, c.TOTAL))
    tables = tables if tables is not None else pl.DataFrame()
    if tables.width:
        _check(tables, "tables", [col for col in TABLE_COUNTS if col in tables.columns])
    values, missing, lines, row_cell, table_cell = representation_lines(rows, tables, settings, extra_key)
    primary = [m or is_small(v, settings) for v, m in zip(values, missing, strict=True)]
    hidden = secondary_suppression(values, primary, lines)

    def published(cell: int) -> int | None:
        return None if hidden[cell] else round_count(values[cell], settings.rounding_base)

    key_names = table_key(rows, tables, extra_key)
    row_keys = [_key(r, key_names) for r in rows.select(key_names).iter_rows(named=True)]
    involved_cells = [row_cell[(i,)] for i in range(rows.height)]
    total_cells = [table_cell[(key, c.TOTAL)] for key in row_keys]
    new_rows = rows.with_columns(
        pl.Series(c.INVOLVED, [published(i) for i in involved_cells], dtype=pl.Int64),
        pl.Series(c.TOTAL, [published(t) for t in total_cells], dtype=pl.Int64),
        pl.Series(suppressed_flag(c.INVOLVED), [hidden[i] for i in involved_cells], dtype=pl.Boolean),
        pl.Series(suppressed_flag(c.TOTAL), [hidden[t] for t in total_cells], dtype=pl.Boolean),
    )
    new_rows = recompute_row_statistics(new_rows, settings, extra_key, adjust).with_columns(
        (pl.col(suppressed_flag(c.INVOLVED)) | pl.col(suppressed_flag(c.TOTAL))).alias(SUPPRESSED),
        pl.lit(True).alias(ROUNDED),
        pl.lit(False).alias(NOT_FOR_PUBLICATION),
    )

    new_tables = tables
    if tables.width:
        present = [col for col in TABLE_COUNTS if col in tables.columns]
        keys = [_key(r, key_names) for r in tables.iter_rows(named=True)]
        updates = []
        for col in present:
            cells = [table_cell[(key, col)] for key in keys]
            updates.append(pl.Series(col, [published(x) for x in cells], dtype=pl.Int64))
            updates.append(pl.Series(suppressed_flag(col), [hidden[x] for x in cells], dtype=pl.Boolean))
        new_tables = tables.with_columns(updates)
        if c.DECLARATION_RATE in tables.columns and c.PEOPLE in present:
            new_tables = new_tables.with_columns(
                pl.when(pl.col(c.PEOPLE) > 0)
                .then(pl.col(c.TOTAL) / pl.col(c.PEOPLE))
                .otherwise(None)
                .cast(pl.Float64)
                .alias(c.DECLARATION_RATE)
            )
        new_tables = new_tables.with_columns(
            pl.any_horizontal([suppressed_flag(col) for col in present]).alias(SUPPRESSED),
            pl.lit(True).alias(ROUNDED),
            pl.lit(False).alias(NOT_FOR_PUBLICATION),
        )
    return new_rows, new_tables


def suppress_tables(tables: pl.DataFrame, settings: Settings | None = None) -> pl.DataFrame:
    """The published version of per-table figures alone (people, known, unknown, not stated, not known per level x
    period x characteristic, such as the data-quality view), with the same lines as the representation tables:
    known + unknown = everyone, not stated + not known = unknown, and each figure across the levels."""
    settings = settings or get_settings()
    empty_rows = pl.DataFrame(schema={c.GROUP: pl.String, c.INVOLVED: pl.Int64, c.TOTAL: pl.Int64})
    _, published = suppress_representation(empty_rows, tables, settings)
    return published


def mark_exact(frame: pl.DataFrame, counts: Sequence[str]) -> pl.DataFrame:
    """The exact figures, unchanged, with the same flag columns as a suppressed frame and
    not_for_publication."""
    present = [col for col in counts if col in frame.columns]
    return frame.with_columns(
        *[pl.lit(False).alias(suppressed_flag(col)) for col in present],
        pl.lit(False).alias(SUPPRESSED),
        pl.lit(False).alias(ROUNDED),
        pl.lit(True).alias(NOT_FOR_PUBLICATION),
    )


def mark_published(frame: pl.DataFrame) -> pl.DataFrame:
    """Flags for a frame whose figures are already published values (built from a protected
    representation)."""
    present = [col for col in (*ROW_COUNTS, *TABLE_COUNTS) if col in frame.columns]
    return frame.with_columns(
        *[pl.col(col).is_null().alias(suppressed_flag(col)) for col in dict.fromkeys(present)],
        (pl.any_horizontal([pl.col(col).is_null() for col in present]) if present else pl.lit(False)).alias(
            SUPPRESSED
        ),
        pl.lit(True).alias(ROUNDED),
        pl.lit(False).alias(NOT_FOR_PUBLICATION),
    )


def looks_published(frame: pl.DataFrame, counts: Sequence[str], settings: Settings | None = None) -> bool:
    """True when every shown count is a value the published version could hold (0, or a multiple of the
    rounding base at or above the threshold): a frame built from a protected representation passes, exact
    small counts do not (exact counts that already are such values are their own published version)."""
    settings = settings or get_settings()
    base, low = settings.rounding_base, settings.suppress_below
    for col in counts:
        if col not in frame.columns:
            continue
        values = frame[col].drop_nulls()
        if ((values != 0) & ((values % base != 0) | (values < low))).any():
            return False
    return True


# --- Any other aggregate frame
# -------------------------------------------------------------------------------


def suppress_frame(
    frame: pl.DataFrame,
    counts: Sequence[str],
    *,
    derived: Mapping[str, pl.Expr | None] | None = None,
    lines: Sequence[Sequence[str]] = (),
    digits: int = 2,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """Suppress and round the ``counts`` columns of an aggregate frame (one row = one cell set).

    ``lines`` lists groups of count columns of one row that add up (first = total, the rest = parts); a row
    with exactly one hidden cell in a line gets a second (for a line whose total is ``people``, the total).
    ``derived`` maps each derived column to an expression that recomputes it from the published counts, or to
    None: then it is null when any count of the row is hidden and rounded to ``digits`` decimals otherwise.
    Columns that are neither counts nor derived are kept as they are (keys and labels): callers must list
    every figure.
    """
    settings = settings or get_settings()
    _check(frame, "aggregate", counts)
    derived = dict(derived or {})
    values: list[int] = []
    missing: list[bool] = []
    cell_of: dict[tuple[int, str], int] = {}
    for index, row in enumerate(frame.select(counts).iter_rows(named=True)):
        for col in counts:
            cell_of[(index, col)] = len(values)
            values.append(0 if row[col] is None else int(row[col]))
            missing.append(row[col] is None)
    all_lines = [
        Line(
            parts=tuple(cell_of[(i, col)] for col in line[1:]),
            total=cell_of[(i, line[0])],
            prefer_total=line[0] == c.PEOPLE,
        )
        for i in range(frame.height)
        for line in lines
    ]
    primary = [m or is_small(v, settings) for v, m in zip(values, missing, strict=True)]
    hidden = secondary_suppression(values, primary, all_lines)
    updates = []
    for col in counts:
        cells = [cell_of[(i, col)] for i in range(frame.height)]
        updates.append(
            pl.Series(
                col,
                [None if hidden[x] else round_count(values[x], settings.rounding_base) for x in cells],
                dtype=pl.Int64,
            )
        )
        updates.append(pl.Series(suppressed_flag(col), [hidden[x] for x in cells], dtype=pl.Boolean))
    out = frame.with_columns(updates)
    any_hidden = pl.any_horizontal([suppressed_flag(col) for col in counts]) if counts else pl.lit(False)
    out = out.with_columns(any_hidden.alias(SUPPRESSED))
    recomputed = [expr.alias(name) for name, expr in derived.items() if expr is not None]
    if recomputed:
        out = out.with_columns(recomputed)
    kept = [
        pl.when(pl.col(SUPPRESSED)).then(None).otherwise(pl.col(name).round(digits)).alias(name)
        for name, expr in derived.items()
        if expr is None and name in out.columns
    ]
    if kept:
        out = out.with_columns(kept)
    return out.with_columns(pl.lit(True).alias(ROUNDED), pl.lit(False).alias(NOT_FOR_PUBLICATION))


# --- Showing it
# ----------------------------------------------------------------------------------------------


def display_counts(frame: pl.DataFrame, counts: Sequence[str] | None = None) -> pl.DataFrame:
    """Count columns as text for tables and downloads: "*" where hidden, the published number otherwise.

    ``counts`` defaults to every column that has a ``<column>_suppressed`` flag. The flag columns are dropped.
    """
    if counts is None:
        counts = [col for col in frame.columns if suppressed_flag(col) in frame.columns]
    exprs = [
        pl.when(pl.col(suppressed_flag(col)))
        .then(pl.lit(SUPPRESSED_MARK))
        .otherwise(pl.col(col).cast(pl.String))
        .alias(col)
        for col in counts
    ]
    return frame.with_columns(exprs).drop([suppressed_flag(col) for col in counts])


def shown_counts(frame: pl.DataFrame, counts: Sequence[str]) -> list[int]:
    """Every count a reader can see (for tests and checks): the non-null values of the count columns."""
    return [int(v) for col in counts if col in frame.columns for v in frame[col].drop_nulls().to_list()]


def is_protected(frame: pl.DataFrame) -> bool:
    """True when a frame has already been through disclosure control (suppressed or marked exact)."""
    return NOT_FOR_PUBLICATION in frame.columns
