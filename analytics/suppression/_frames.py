"""Disclosure control for any other aggregate frame (one row = one set of cells), and showing a protected
frame: hidden counts as "*"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import polars as pl

from analytics import columns as c
from analytics.suppression._lines import Line, protect_cells
from analytics.suppression._rules import (
    NOT_FOR_PUBLICATION,
    ROUNDED,
    SUPPRESSED,
    SUPPRESSED_MARK,
    check_columns,
    current_settings,
    is_small,
    round_count,
    suppressed_flag,
)

if TYPE_CHECKING:
    from models.settings import Settings


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
    settings = settings or current_settings()
    check_columns(frame, "aggregate", counts)
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
            rule=line[0] != c.PEOPLE,
        )
        for i in range(frame.height)
        for line in lines
    ]
    primary = [m or is_small(v, settings) for v, m in zip(values, missing, strict=True)]
    people = {cell_of[(i, c.PEOPLE)] for i in range(frame.height)} if c.PEOPLE in counts else set()
    hidden = protect_cells(
        values,
        primary,
        primary,
        all_lines,
        settings,
        public=people,
        candidates=set(range(len(values))) - people,
    )
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
