"""Publishing views: the hidden cells as null counts with their flags, counts rounded, every derived figure
worked out again from the published counts; and the marks of exact (not for publication) frames."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import polars as pl

from analytics import columns as c
from analytics.suppression._cells import CellSystem, row_key
from analytics.suppression._decide import protect_views
from analytics.suppression._rules import (
    NOT_FOR_PUBLICATION,
    ROUNDED,
    ROW_COUNTS,
    SUPPRESSED,
    TABLE_COUNTS,
    TABLE_KEY,
    check_columns,
    current_settings,
    round_count,
    suppressed_flag,
)

if TYPE_CHECKING:
    from models.settings import Settings


def recompute_row_statistics(
    rows: pl.DataFrame, settings: Settings, extra_key: Sequence[str] = (), adjust: bool = True
) -> pl.DataFrame:
    """Every derived figure and the status from the (published) counts, by the engine's own derivation
    (:func:`analytics.stats.compare_with_baseline`): nothing shown carries more than the published counts and
    the public baseline. A row with a hidden count has status ``hidden`` and no figure derived from it.

    The Holm family is one table (the table key plus ``extra_key``); with ``adjust=False`` (a frame holding
    only some groups of each table, such as an outreach list) adjusted p-values are withheld (null) rather than
    adjusted over a wrong family.
    """
    from analytics.stats import compare_with_baseline

    key_names = [k for k in (*TABLE_KEY, *extra_key) if k in rows.columns]
    derived = compare_with_baseline(
        rows,
        table_keys=key_names,
        alpha=settings.alpha,
        under_threshold=settings.under_threshold,
        confidence=settings.confidence,
        adjust=adjust,
    )
    replaced = [name for name in DERIVED if name in rows.columns or name == c.STATUS]
    return rows.with_columns(
        derived[name].cast(rows.schema[name]) if name in rows.columns else derived[name] for name in replaced
    )


DERIVED = (
    c.SHARE, c.RATIO, c.GAP_PP, c.EXPECTED, c.SHORTFALL, c.Z, c.CI_LOW, c.CI_HIGH, c.P_VALUE, c.P_ADJUSTED,
    c.STATUS,
)

def prepare_views(
    views: Sequence[tuple[pl.DataFrame, pl.DataFrame | None]],
) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    prepared = []
    for rows, tables in views:
        check_columns(rows, "rows", (c.GROUP, c.INVOLVED, c.TOTAL))
        tables = tables if tables is not None else pl.DataFrame()
        if tables.width:
            check_columns(tables, "tables", [col for col in TABLE_COUNTS if col in tables.columns])
        prepared.append((rows, tables))
    return prepared


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
    return suppress_views([(rows, tables)], settings, extra_key=extra_key, adjust=adjust)[0]


def suppress_views(
    views: Sequence[tuple[pl.DataFrame, pl.DataFrame | None]],
    settings: Settings | None = None,
    *,
    extra_key: Sequence[str] = (),
    adjust: bool = True,
) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    """Several views of the same people protected together (detailed, broad and binary ethnicity): their
    shared figures are hidden alike, and a hidden cell is protected against all of them at once.

    A crossed view given without its two single views gets the conservative rule (margins assumed known
    exactly, table figures withheld, crossed tables with a small margin withheld: see
    :func:`_conservative_crossed`); use :func:`suppress_crossed` to protect it jointly with them."""
    settings = settings or current_settings()
    prepared = prepare_views(views)
    system, hidden, _remaining = protect_views(prepared, settings, extra_key)
    return [
        publish_view(view, rows, tables, system, hidden, settings, extra_key, adjust)
        for view, (rows, tables) in enumerate(prepared)
    ]


def publish_view(
    view: int,
    rows: pl.DataFrame,
    tables: pl.DataFrame,
    system: CellSystem,
    hidden: list[bool],
    settings: Settings,
    extra_key: Sequence[str] = (),
    adjust: bool = True,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    values = system.values

    def published(cell: int) -> int | None:
        return None if hidden[cell] else round_count(values[cell], settings.rounding_base)

    names = system.key_names[view]
    row_keys = [
        row_key(r, names) for r in rows.select([k for k in names if k in rows.columns]).iter_rows(named=True)
    ]
    involved_cells = [system.row_cell[(view, i)] for i in range(rows.height)]
    total_cells = [system.table_cell[(view, key, c.TOTAL)] for key in row_keys]
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
    return new_rows, _published_tables(tables, view, system, hidden, published)


def _published_tables(
    tables: pl.DataFrame,
    view: int,
    system: CellSystem,
    hidden: list[bool],
    published: Callable[[int], int | None],
) -> pl.DataFrame:
    if not tables.width:
        return tables
    names = system.key_names[view]
    present = [col for col in TABLE_COUNTS if col in tables.columns]
    keys = [row_key(r, names) for r in tables.iter_rows(named=True)]
    updates = []
    for col in present:
        cells = [system.table_cell[(view, key, col)] for key in keys]
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
    return new_tables.with_columns(
        pl.any_horizontal([suppressed_flag(col) for col in present]).alias(SUPPRESSED),
        pl.lit(True).alias(ROUNDED),
        pl.lit(False).alias(NOT_FOR_PUBLICATION),
    )


def suppress_tables(tables: pl.DataFrame, settings: Settings | None = None) -> pl.DataFrame:
    """The published version of per-table figures alone (people, known, unknown, not stated, not known per
    level x period x characteristic, such as the data-quality view), with the same lines as the representation
    tables: known + unknown = everyone, not stated + not known = unknown, and each figure across the
    levels."""
    settings = settings or current_settings()
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
    settings = settings or current_settings()
    base, low = settings.rounding_base, settings.suppress_below
    for col in counts:
        if col not in frame.columns:
            continue
        values = frame[col].drop_nulls()
        if ((values != 0) & ((values % base != 0) | (values < low))).any():
            return False
    return True
