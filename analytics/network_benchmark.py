"""The network's benchmark table and its view over time, from each organisation's published figures.

:func:`benchmark_table` gives one row per organisation: its presence at decision-making levels together (the
group's share with its interval and its ratio to its own catchment, exactly the published row that
``analytics.stats.compare_with_baseline`` derived: nothing is re-derived here), its 4PI scorecard status (the
published scorecard of ``analytics.fourpi.disclosure.protect_scorecard``: indicators green, amber, red and
hidden), its declaration rate (the share of people at those levels with a known value, from the published
counts, with its Wilson interval) and its trend (``analytics.trends.trend_table`` on the published
representation: the joiner-based test, Holm-adjusted across the groups of a level). There is no bare rank:
the rank of each organisation's ratio comes as a range (``rank_from`` to ``rank_to``) that its interval and
the others' allow. :func:`sort_benchmark` sorts it by any column, hidden figures last.

:func:`over_time` names the organisations whose group share rose or fell significantly at a level, by the
same trend test on published counts over the latest four years (a series with a hidden count is not tested,
and the early years of small boards often are), with a second Holm correction across the organisations compared (one
test per organisation): an organisation "improved" when the share rose from below its catchment's share, and
"worsened" when it fell and ends below it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import polars as pl

from analytics import columns as c
from analytics import columns as k
from analytics import network as n
from analytics import trends
from analytics.fourpi.scorecard import RAG_HIDDEN
from analytics.representation import Representation
from analytics.stats import holm, wilson_interval
from models.settings import Settings, get_settings

__all__ = [
    "BENCHMARK_COLUMNS",
    "OVER_TIME_COLUMNS",
    "benchmark_table",
    "default_window",
    "over_time",
    "over_time_sentence",
    "rank_range",
    "scorecard_status",
    "sort_benchmark",
    "trend_summary",
]

DECLARATION_CI_LOW, DECLARATION_CI_HIGH = "declaration_ci_low", "declaration_ci_high"
RANK_FROM, RANK_TO = "rank_from", "rank_to"
FOURPI_GREEN, FOURPI_AMBER, FOURPI_RED, FOURPI_HIDDEN = "fourpi_green", "fourpi_amber", "fourpi_red", "fourpi_hidden"
FOURPI_STATUS = "fourpi_status"
TREND_DIRECTION = "trend_direction"
NETWORK_P_ADJUSTED = "network_p_adjusted"
VERDICT = "verdict"

IMPROVED, WORSENED, ROSE, FELL, NO_CHANGE, NOT_TESTED = (
    "improved", "worsened", "rose", "fell", "no significant change", "not tested")

BENCHMARK_COLUMNS = (
    n.ORGANISATION_CODE, n.ORGANISATION_NAME, c.LEVEL_KEY, c.PERIOD, c.GROUP, c.PEOPLE, c.INVOLVED, c.TOTAL,
    c.SHARE, c.CI_LOW, c.CI_HIGH, c.BASELINE_SHARE, c.RATIO, n.RATIO_CI_LOW, n.RATIO_CI_HIGH, RANK_FROM, RANK_TO,
    c.STATUS, c.DECLARATION_RATE, DECLARATION_CI_LOW, DECLARATION_CI_HIGH, FOURPI_GREEN, FOURPI_AMBER,
    FOURPI_RED, FOURPI_HIDDEN, FOURPI_STATUS, trends.TREND_WORDS, trends.TREND_P_ADJUSTED, TREND_DIRECTION,
)
OVER_TIME_COLUMNS = (
    n.ORGANISATION_CODE, n.ORGANISATION_NAME, c.LEVEL_KEY, c.GROUP, trends.PERIODS_WITH_DATA, trends.FIRST_SHARE,
    trends.LATEST_SHARE, c.BASELINE_SHARE, trends.COCHRAN_ARMITAGE_Z, trends.TREND_P_ADJUSTED, NETWORK_P_ADJUSTED,
    VERDICT, trends.TREND_WORDS,
)
RECENT_YEARS, RECENT_QUARTERS = 4, 12  # the default span of the over-time view: four years
NO_SCORECARD = "No 4PI scorecard for this period."
ERROR_SORT = "The benchmark table has no column '{column}' to sort by (columns: {found})."


# --- Pieces -----------------------------------------------------------------------------------------------------


def rank_range(low: Sequence[float | None], high: Sequence[float | None]) -> tuple[list[int | None], ...]:
    """For each interval [low, high] (of a ratio; higher ranks first), the ranks it could hold: from 1 + the
    number of others whose interval lies wholly above it, to the number of intervals not wholly below it
    (itself included). Null where the interval is unknown (hidden)."""
    lo = np.array([np.nan if v is None else v for v in low], dtype=float)
    hi = np.array([np.nan if v is None else v for v in high], dtype=float)
    known = np.isfinite(lo) & np.isfinite(hi)
    best: list[int | None] = []
    worst: list[int | None] = []
    for i in range(lo.size):
        if not known[i]:
            best.append(None)
            worst.append(None)
            continue
        best.append(1 + int(np.sum(known & (lo > hi[i]))))
        worst.append(int(np.sum(known & (hi >= lo[i]))))
    return best, worst


def scorecard_status(card: pl.DataFrame | None) -> dict[str, object]:
    """How many published 4PI indicators are green, amber, red and hidden, and in words."""
    if card is None or card.height == 0:
        return {FOURPI_GREEN: None, FOURPI_AMBER: None, FOURPI_RED: None, FOURPI_HIDDEN: None,
                FOURPI_STATUS: NO_SCORECARD}
    counts = {rag: card.filter(pl.col(k.RAG) == rag).height
              for rag in (k.RAG_GREEN, k.RAG_AMBER, k.RAG_RED, RAG_HIDDEN)}
    judged = counts[k.RAG_GREEN] + counts[k.RAG_AMBER] + counts[k.RAG_RED]
    words = (f"{counts[k.RAG_GREEN]} of {judged} indicators met, {counts[k.RAG_AMBER]} close, "
             f"{counts[k.RAG_RED]} short" + (f", {counts[RAG_HIDDEN]} hidden (*)" if counts[RAG_HIDDEN] else "")
             + f" ({card[k.PERIOD][0]})")
    return {FOURPI_GREEN: counts[k.RAG_GREEN], FOURPI_AMBER: counts[k.RAG_AMBER], FOURPI_RED: counts[k.RAG_RED],
            FOURPI_HIDDEN: counts[RAG_HIDDEN], FOURPI_STATUS: words}


def recent(rep: Representation, periods: int | None) -> Representation:
    """``rep`` restricted to its latest ``periods`` periods (rows, tables and joiners; all when None)."""
    if periods is None:
        return rep
    kept = (rep.rows.select(c.PERIOD, c.PERIOD_START).unique().sort(c.PERIOD_START)
            .tail(periods)[c.PERIOD].implode())
    return dataclasses.replace(
        rep, rows=rep.rows.filter(pl.col(c.PERIOD).is_in(kept)),
        tables=rep.tables.filter(pl.col(c.PERIOD).is_in(kept)),
        joiners=None if rep.joiners is None else rep.joiners.filter(pl.col(c.PERIOD).is_in(kept)))


def default_window(period: str) -> int:
    """How many periods the over-time view looks back by default: four years."""
    return RECENT_QUARTERS if period == "quarter" else RECENT_YEARS


def trend_summary(rep: Representation, periods: int | None = None) -> pl.DataFrame:
    """The trend summary (``analytics.trends.SUMMARY_COLUMNS``, every level and group) of ``rep``'s latest
    ``periods`` periods (default: ``default_window``): computed once per organisation and kept on its
    :class:`analytics.network.Member` (``trends``), so that changing a filter does not test again."""
    return trends.trend_table(recent(rep, periods or default_window(rep.period))).summary


def _window(members: Sequence[n.Member], periods: int | None) -> int:
    if periods is not None:
        return periods
    kinds = {m.representation.period for m in members}
    return default_window("quarter" if kinds == {"quarter"} else "year")


def _summary(m: n.Member, periods: int) -> pl.DataFrame:
    if m.trends is not None and periods == default_window(m.representation.period):
        return m.trends
    return trends.trend_table(recent(m.representation, periods)).summary


def _trend_rows(members: Sequence[n.Member], level: str, group: str, periods: int) -> pl.DataFrame:
    """One row per organisation: the trend summary of ``group`` at ``level`` from its published figures (over
    its latest ``periods`` periods)."""
    rows = []
    for m in members:
        summary = _summary(m, periods).filter(
            (pl.col(c.LEVEL_KEY) == level) & (pl.col(c.GROUP) == group))
        row = summary.head(1) if summary.height else pl.DataFrame({c.LEVEL_KEY: [level], c.GROUP: [group]})
        rows.append(row.with_columns(pl.lit(m.code).alias(n.ORGANISATION_CODE)))
    frame = pl.concat(rows, how="diagonal_relaxed")
    missing = [pl.lit(None).alias(col) for col in trends.SUMMARY_COLUMNS if col not in frame.columns]
    return frame.with_columns(missing)


def _direction(alpha: float) -> pl.Expr:
    p, z = pl.col(trends.TREND_P_ADJUSTED), pl.col(trends.COCHRAN_ARMITAGE_Z)
    return (pl.when(p.is_null()).then(pl.lit(NOT_TESTED))
            .when((p < alpha) & (z > 0)).then(pl.lit(ROSE))
            .when((p < alpha) & (z < 0)).then(pl.lit(FELL))
            .otherwise(pl.lit(NO_CHANGE)))


# --- The benchmark table ----------------------------------------------------------------------------------------


def _declaration(figures: pl.DataFrame, confidence: float) -> pl.DataFrame:
    known = figures[c.TOTAL].cast(pl.Float64).fill_null(np.nan).to_numpy()
    people = figures[c.PEOPLE].cast(pl.Float64).fill_null(np.nan).to_numpy()
    ok = np.isfinite(known) & np.isfinite(people) & (people > 0)
    low, high = wilson_interval(np.where(ok, known, 0), np.where(ok, people, 1), confidence)
    return figures.with_columns(
        pl.Series(DECLARATION_CI_LOW, np.where(ok, low, np.nan), dtype=pl.Float64, nan_to_null=True),
        pl.Series(DECLARATION_CI_HIGH, np.where(ok, high, np.nan), dtype=pl.Float64, nan_to_null=True),
    )


def benchmark_table(members: Sequence[n.Member], *, group: str, period: str | None = None,
                    level: str = n.DECISION_MAKING, settings: Settings | None = None) -> pl.DataFrame:
    """One row per organisation (``BENCHMARK_COLUMNS``), in the order given: see the module docstring."""
    settings = settings or get_settings()
    figures = n.funnel_table(n.organisation_figures(members, level=level, group=group, period=period))
    best, worst = rank_range(figures[n.RATIO_CI_LOW].to_list(), figures[n.RATIO_CI_HIGH].to_list())
    cards = pl.DataFrame([{n.ORGANISATION_CODE: m.code, **scorecard_status(m.scorecard)} for m in members],
                         schema={n.ORGANISATION_CODE: pl.String, FOURPI_GREEN: pl.Int64, FOURPI_AMBER: pl.Int64,
                                 FOURPI_RED: pl.Int64, FOURPI_HIDDEN: pl.Int64, FOURPI_STATUS: pl.String})
    trend = _trend_rows(members, level, group, _window(members, None)).select(
        n.ORGANISATION_CODE, trends.TREND_WORDS, trends.TREND_P_ADJUSTED,
        _direction(settings.alpha).alias(TREND_DIRECTION))
    return (
        _declaration(figures, settings.confidence)
        .with_columns(pl.Series(RANK_FROM, best, dtype=pl.Int64), pl.Series(RANK_TO, worst, dtype=pl.Int64))
        .join(cards, on=n.ORGANISATION_CODE, how="left", maintain_order="left")
        .join(trend, on=n.ORGANISATION_CODE, how="left", maintain_order="left")
        .select(BENCHMARK_COLUMNS)
    )


def sort_benchmark(table: pl.DataFrame, column: str, *, descending: bool = False) -> pl.DataFrame:
    """The benchmark table sorted by ``column`` (hidden or missing figures last; ties by organisation code)."""
    if column not in table.columns:
        raise ValueError(ERROR_SORT.format(column=column, found=", ".join(table.columns)))
    return table.sort([column, n.ORGANISATION_CODE], descending=[descending, False], nulls_last=True)


# --- Over time ---------------------------------------------------------------------------------------------------


def over_time(members: Sequence[n.Member], *, group: str, level: str = n.DECISION_MAKING,
              periods: int | None = None, settings: Settings | None = None) -> pl.DataFrame:
    """One row per organisation (``OVER_TIME_COLUMNS``): the trend of ``group``'s share at ``level`` over the
    latest ``periods`` periods (default four years: ``RECENT_YEARS`` years or ``RECENT_QUARTERS`` quarters),
    tested on the joiners of the published representation (``analytics.trends``), Holm-adjusted again
    across the organisations tested; ``verdict`` is improved / worsened / rose / fell / no significant change /
    not tested. Improved first, then worsened."""
    settings = settings or get_settings()
    if not members:
        raise ValueError(n.ERROR_NO_ORGANISATIONS)
    rows = _trend_rows(members, level, group, _window(members, periods))
    p = rows[trends.TREND_P_ADJUSTED].cast(pl.Float64).fill_null(np.nan).to_numpy()
    tested = np.isfinite(p)
    adjusted = np.full(p.size, np.nan)
    if tested.any():
        adjusted[tested] = holm(p[tested])
    first_baseline = pl.concat([
        m.representation.rows.filter((pl.col(c.LEVEL_KEY) == level) & (pl.col(c.GROUP) == group))
        .select(pl.lit(m.code).alias(n.ORGANISATION_CODE), pl.col(c.BASELINE_SHARE).drop_nulls().first())
        for m in members], how="diagonal_relaxed")
    names = pl.DataFrame({n.ORGANISATION_CODE: [m.code for m in members],
                          n.ORGANISATION_NAME: [m.name for m in members]})
    alpha = settings.alpha
    network_p = pl.col(NETWORK_P_ADJUSTED)
    rising = (network_p < alpha) & (pl.col(trends.COCHRAN_ARMITAGE_Z) > 0)
    falling = (network_p < alpha) & (pl.col(trends.COCHRAN_ARMITAGE_Z) < 0)
    verdict = (pl.when(network_p.is_null()).then(pl.lit(NOT_TESTED))
               .when(rising & (pl.col(trends.FIRST_SHARE) < pl.col(c.BASELINE_SHARE))).then(pl.lit(IMPROVED))
               .when(falling & (pl.col(trends.LATEST_SHARE) < pl.col(c.BASELINE_SHARE))).then(pl.lit(WORSENED))
               .when(rising).then(pl.lit(ROSE)).when(falling).then(pl.lit(FELL))
               .otherwise(pl.lit(NO_CHANGE)))
    order = {IMPROVED: 0, WORSENED: 1, ROSE: 2, FELL: 3, NO_CHANGE: 4, NOT_TESTED: 5}
    return (
        rows.with_columns(pl.Series(NETWORK_P_ADJUSTED, adjusted, dtype=pl.Float64, nan_to_null=True))
        .join(names, on=n.ORGANISATION_CODE, how="left")
        .join(first_baseline, on=n.ORGANISATION_CODE, how="left")
        .with_columns(verdict.alias(VERDICT))
        .with_columns(pl.col(VERDICT).replace_strict(order, return_dtype=pl.Int64).alias("_order"))
        .sort("_order", NETWORK_P_ADJUSTED, n.ORGANISATION_CODE, nulls_last=True)
        .select(OVER_TIME_COLUMNS)
    )


def over_time_sentence(table: pl.DataFrame) -> str:
    """One sentence naming the organisations that improved or worsened significantly (or saying none did)."""
    def names(verdict: str) -> list[str]:
        return table.filter(pl.col(VERDICT) == verdict)[n.ORGANISATION_NAME].to_list()

    improved, worsened = names(IMPROVED), names(WORSENED)
    untested = table.filter(pl.col(VERDICT) == NOT_TESTED).height
    parts = []
    if improved:
        parts.append(f"Improved significantly: {'; '.join(improved)}.")
    if worsened:
        parts.append(f"Worsened significantly: {'; '.join(worsened)}.")
    if not parts:
        parts.append("No organisation improved or worsened significantly.")
    if untested:
        parts.append(f"{untested} organisation{'s' if untested != 1 else ''} could not be tested (too few "
                     "people joined, hidden small numbers or too few periods).")
    return " ".join(parts)
