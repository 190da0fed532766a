"""The representation table: who is involved at each level in each period, against who is served.

One tidy table (``Representation.rows``: one row per level x period x group, columns
``analytics.columns.ROW_COLUMNS``) and its per-table figures (``Representation.tables``: unknowns and the
declaration rate per level x period). Every dashboard view (heatmap, pipeline, trends, outreach list,
headlines) is a selection of these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import polars as pl

from analytics import columns as C
from analytics.baselines import BaselineSpec, baseline_shares
from analytics.counting import (
    CROSS,
    KNOWN,
    LEVEL_ID,
    PERIOD_INDEX,
    PERSON_ID,
    STATE,
    check_characteristic,
    count_runs,
    group_universe,
    groups_from_raw,
    joiner_runs,
    periods,
    presence_runs,
    source_column,
    table_counts,
)
from analytics.loader import Frames
from analytics.periods import check_period
from analytics.stats import compare_with_baseline
from data import codes

if TYPE_CHECKING:
    from models.settings import Settings

JOINER_COLUMNS = C.KEY_COLUMNS + (C.GROUP, C.GROUP_LABEL, C.INVOLVEMENT_FILTER, C.INVOLVED, C.TOTAL)

ERROR_CROSSED = "Cross two or more different characteristics (for example ('ethnicity_broad', 'sex'))."


@dataclass(frozen=True)
class Representation:
    """The result of :func:`representation_table`: rows, tables and what was compared with what."""

    rows: pl.DataFrame
    tables: pl.DataFrame
    baseline_description: str
    characteristic: str
    period: str
    involvement: str
    baseline: BaselineSpec
    alpha: float
    under_threshold: float
    detail: str = "nhs"
    chinese_as_asian: bool = True
    confidence: float = 0.95
    joiners: pl.DataFrame | None = None  # JOINER_COLUMNS: the people who joined each level in each period

    @property
    def latest_period(self) -> str | None:
        """The latest period with anyone counted (or the latest period at all; None when there are none)."""
        return latest_period(self.rows)


def latest_period(rows: pl.DataFrame) -> str | None:
    if rows.height == 0:
        return None
    with_data = rows.filter(pl.col(C.TOTAL) > 0)
    source = with_data if with_data.height else rows
    latest: str = source.sort(C.PERIOD_START)[C.PERIOD][-1]
    return latest


def _resolve_settings(settings: Settings | None) -> Settings:
    if settings is None:
        from models.settings import get_settings

        return get_settings()
    return settings


def _levels(frames: Frames) -> pl.LazyFrame:
    return frames.levels.lazy().select(
        pl.col("id").alias(LEVEL_ID),
        pl.col("rank").alias(C.LEVEL_RANK),
        pl.col("key").alias(C.LEVEL_KEY),
        pl.col("name").alias(C.LEVEL_NAME),
        pl.col("decision_making").alias(C.DECISION_MAKING),
    )


def _assemble(
    characteristics: Sequence[str],
    *,
    counted: pl.LazyFrame,
    grid: pl.LazyFrame,
    shares: pl.DataFrame,
    description: str,
    involvement: str,
    detail: str,
    min_age: int = 0,
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Lazy (rows before statistics, tables) from the counts: every level x period, every group. Age bands
    wholly below the baseline's age floor (``min_age``) are left out where no one in them is involved: the
    people compared are adults, so an empty "Under 16" row is no finding (someone recorded in such a band is
    still shown, without a baseline)."""
    constants = [
        pl.lit(CROSS.join(characteristics)).alias(C.CHARACTERISTIC),
        pl.lit(involvement).alias(C.INVOLVEMENT_FILTER),
    ]
    tables = (
        grid.join(table_counts(counted), on=[LEVEL_ID, PERIOD_INDEX], how="left")
        .with_columns(
            pl.col(c).fill_null(0) for c in (C.PEOPLE, C.TOTAL, C.NOT_STATED, C.NOT_KNOWN, C.UNKNOWN)
        )
        .with_columns(
            *constants,
            pl.when(pl.col(C.PEOPLE) > 0)
            .then(pl.col(C.TOTAL) / pl.col(C.PEOPLE))
            .otherwise(None)
            .alias(C.DECLARATION_RATE),
        )
    )
    known = counted.filter(pl.col(STATE) == KNOWN).select(LEVEL_ID, PERIOD_INDEX, C.GROUP, C.INVOLVED)
    rows = (
        tables.select(LEVEL_ID, PERIOD_INDEX, *C.KEY_COLUMNS, C.INVOLVEMENT_FILTER, C.TOTAL)
        .join(group_universe(characteristics, detail=detail).lazy(), how="cross")
        .join(known, on=[LEVEL_ID, PERIOD_INDEX, C.GROUP], how="left")
        .join(shares.lazy(), on=C.GROUP, how="left")
        .with_columns(pl.col(C.INVOLVED).fill_null(0), pl.lit(description).alias(C.BASELINE_NAME))
    )
    below = _bands_below(min_age) if "age_band" in characteristics else []
    if below:
        part = pl.col(C.GROUP).str.split(CROSS).list.get(list(characteristics).index("age_band"))
        # a whole group at once (every level and period), so every level x period keeps the same groups
        rows = rows.filter(~(part.is_in(below) & (pl.col(C.INVOLVED).sum().over(C.GROUP) == 0)))
    return rows, tables


def _bands_below(min_age: int) -> list[str]:
    """The age-band codes whose oldest age is under ``min_age`` ("0-15" and "16-17" at 18)."""
    return [code for code in codes.CHARACTERISTIC_CODES["age_band"]
            if "-" in code and code.split("-")[1].isdigit() and int(code.split("-")[1]) < min_age]


def _build(
    frames: Frames,
    plans: Sequence[Sequence[str]],
    *,
    period: str,
    involvement: str,
    baseline: BaselineSpec,
    settings: Settings,
    detail: str,
) -> tuple[pl.DataFrame, pl.DataFrame, list[str], pl.DataFrame]:
    """Rows and tables (with statistics) for each characteristic tuple in ``plans``, their descriptions, and
    the joiners' rows (the same counts of the people in the period they joined each level).

    Collects over everything at once: the counting base (the runs of periods in which each person is present
    at each level, never one row per period), the counts per recorded value of every source column, and the
    assembled tables (recorded values are mapped to groups on the aggregated counts, never on person rows).
    """
    shares = [baseline_shares(frames, chars, baseline, settings, detail) for chars in plans]
    sources = [tuple(source_column(c) for c in chars) for chars in plans]
    columns = list(dict.fromkeys(c for source in sources for c in source))
    people = frames.people.lazy().select(pl.col("id").alias(PERSON_ID), *columns)
    runs, grid = pl.collect_all(
        [
            presence_runs(frames, period=period, involvement=involvement),
            _levels(frames).join(periods(frames, period), how="cross"),
        ]
    )
    distinct = list(dict.fromkeys(sources))
    first_period = cast("int | None", grid[PERIOD_INDEX].min()) if grid.height else None  # an integer column
    joined = joiner_runs(runs.lazy(), first_period).collect()
    # one source at a time: each count joins ~350,000 run starts and ends with the people, and running them
    # all at once held every join in memory together (+140 MiB for all ten characteristics at scale 100)
    raw = [count_runs(base.lazy(), people, s).collect() for base in (runs, joined) for s in distinct]
    raw_present = dict(zip(distinct, raw[: len(distinct)], strict=True))
    raw_joined = dict(zip(distinct, raw[len(distinct) :], strict=True))

    def assemble(raw_counts: dict[tuple[str, ...], pl.DataFrame]) -> list[tuple[pl.LazyFrame, pl.LazyFrame]]:
        return [
            _assemble(
                chars,
                counted=groups_from_raw(
                    raw_counts[source].lazy(), chars, chinese_as_asian=settings.chinese_as_asian, detail=detail
                ),
                grid=grid.lazy(),
                shares=share,
                description=description,
                involvement=involvement,
                detail=detail,
                min_age=settings.baseline_min_age,
            )
            for chars, source, (share, description) in zip(plans, sources, shares, strict=True)
        ]

    assembled, joiners = assemble(raw_present), assemble(raw_joined)
    k = len(assembled)
    collected = pl.collect_all([a[0] for a in assembled] + [a[1] for a in assembled] + [j[0] for j in joiners])
    rows, tables = _finish(pl.concat(collected[:k]), pl.concat(collected[k : 2 * k]), settings)
    joiner_rows = (
        pl.concat(collected[2 * k :])
        .sort(C.CHARACTERISTIC, C.PERIOD_START, C.LEVEL_RANK, "_order")
        .select(JOINER_COLUMNS)
    )
    return rows, tables, [description for _, description in shares], joiner_rows


def _finish(rows: pl.DataFrame, tables: pl.DataFrame, settings: Settings) -> tuple[pl.DataFrame, pl.DataFrame]:
    table_keys = [C.CHARACTERISTIC, C.LEVEL_RANK, C.PERIOD]
    rows = compare_with_baseline(
        rows,
        table_keys=table_keys,
        alpha=settings.alpha,
        under_threshold=settings.under_threshold,
        confidence=settings.confidence,
    )
    rows = rows.sort(C.CHARACTERISTIC, C.PERIOD_START, C.LEVEL_RANK, "_order").select(C.ROW_COLUMNS)
    tables = tables.sort(C.CHARACTERISTIC, C.PERIOD_START, C.LEVEL_RANK).select(C.TABLE_COLUMNS)
    return rows, tables


def representation_tables(
    frames: Frames,
    *,
    characteristics: Sequence[str] = C.CHARACTERISTICS,
    period: str = "quarter",
    baseline: BaselineSpec | None = None,
    involvement: str = "all",
    settings: Settings | None = None,
    detail: str = "nhs",
) -> Representation:
    """The representation table for several characteristics at once (each on its own, not crossed).

    The counting base (who is present where and when) is built once and shared; the rows of all
    characteristics are concatenated (``characteristic`` tells them apart). ``baseline_description`` joins the
    distinct descriptions.
    """
    for characteristic in characteristics:
        check_characteristic(characteristic)
    return _represent(frames, [(c,) for c in characteristics], ", ".join(characteristics), period=period,
                      baseline=baseline, involvement=involvement, settings=settings, detail=detail)


def representation_table(
    frames: Frames,
    characteristic: str | None = "ethnicity_broad",
    *,
    characteristics: Sequence[str] | None = None,
    period: str = "quarter",
    baseline: BaselineSpec | None = None,
    involvement: str = "all",
    settings: Settings | None = None,
    detail: str = "nhs",
) -> Representation:
    """Who is involved at each level in each period compared with the baseline, one row per group.

    ``characteristic`` is one of ``analytics.columns.CHARACTERISTICS``; pass ``characteristics`` (two or more)
    instead for an intersectional table, whose groups are joined with " × " ("Black or Black British ×
    Female"). ``detail="ons19"`` keeps the three ONS-only ethnic groups (Gypsy or Irish Traveller, Roma, Arab)
    apart instead of folding them into their NHS codes.
    """
    if characteristics:
        crossed = tuple(characteristics)
    else:
        check_characteristic(characteristic)
        assert characteristic is not None  # check_characteristic rejects None
        crossed = (characteristic,)
    for c in crossed:
        check_characteristic(c)
    if characteristics and (len(crossed) < 2 or len(set(crossed)) != len(crossed)):
        raise ValueError(ERROR_CROSSED)
    return _represent(frames, [crossed], CROSS.join(crossed), period=period, baseline=baseline,
                      involvement=involvement, settings=settings, detail=detail)


def _represent(frames: Frames, plans: list[tuple[str, ...]], characteristic: str, *, period: str,
               baseline: BaselineSpec | None, involvement: str, settings: Settings | None,
               detail: str) -> Representation:
    """Build the rows and tables of ``plans`` (each a tuple of crossed characteristics) as one Representation."""
    settings = _resolve_settings(settings)
    baseline = baseline or BaselineSpec()
    check_period(period)
    rows, tables, descriptions, joiners = _build(frames, plans, period=period, involvement=involvement,
                                                 baseline=baseline, settings=settings, detail=detail)
    return Representation(
        rows=rows,
        tables=tables,
        baseline_description="; ".join(dict.fromkeys(descriptions)),
        characteristic=characteristic,
        period=period,
        involvement=involvement,
        baseline=baseline,
        alpha=settings.alpha,
        under_threshold=settings.under_threshold,
        detail=detail,
        chinese_as_asian=settings.chinese_as_asian,
        confidence=settings.confidence,
        joiners=joiners,
    )
