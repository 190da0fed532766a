"""Comparing organisations: funnel plots and benchmarks built from each organisation's published figures.

The network view is computed from per-organisation aggregates, never from person rows joined across
organisations:

1. :func:`published_representation` builds one organisation's representation and protects it as a restricted
   role would receive it (``analytics.protection.build_protected`` with the ``viewer`` scope: small counts hidden,
   the others rounded, secondary suppression with the sibling ethnicity views). Every share, ratio, interval,
   p-value and status in the network comes from those published rows, which ``analytics.stats.
   compare_with_baseline`` derived; nothing is recomputed here.
2. :func:`organisation_figures` selects one level, period and group from each published representation: one
   row per organisation.
3. :func:`funnel_table` adds the funnel-plot limits (Spiegelhalter 2005): for an organisation with ``N`` people
   of known value and a baseline share ``p`` from its own catchment, the limits of the ratio ``share / p`` are
   the binomial(``N``, ``p``) quantiles at 2.5%/97.5% (95%) and 0.1%/99.9% (99.8%), interpolated between whole
   counts as in Spiegelhalter's appendix, divided by ``N p``. An organisation outside the limits differs from
   its own catchment more than chance would explain at that size.
4. :func:`network_totals` sums people (never averages shares). A person involved in two organisations is
   counted once in each (``NETWORK_COUNT_NOTE``). The sums are of published counts only, so no hidden cell of
   one organisation can be recovered as "network total minus the others".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import stats as scipy_stats

from analytics import columns as c
from analytics import protection, roles
from analytics.baselines import BaselineSpec
from analytics.loader import Frames
from analytics.representation import Representation, representation_table

__all__ = [
    "NETWORK_COUNT_NOTE",
    "Member",
    "funnel_limits",
    "funnel_sentence",
    "funnel_table",
    "network_totals",
    "organisation_figures",
    "outside_limits",
    "published_representation",
]

PUBLISHED_ROLE = "viewer"  # the restricted role whose published figures every organisation shows the network
COVERAGES = (0.95, 0.998)

ORGANISATION_CODE = "organisation_code"
ORGANISATION_NAME = "organisation_name"
LOW_95, HIGH_95 = "limit_95_low", "limit_95_high"
LOW_998, HIGH_998 = "limit_998_low", "limit_998_high"
POSITION = "funnel_position"
RATIO_CI_LOW, RATIO_CI_HIGH = "ratio_ci_low", "ratio_ci_high"

POSITION_ABOVE_998 = "above the 99.8% limit"
POSITION_ABOVE_95 = "above the 95% limit"
POSITION_WITHIN = "within the limits"
POSITION_BELOW_95 = "below the 95% limit"
POSITION_BELOW_998 = "below the 99.8% limit"
POSITION_NONE = "not plotted"  # hidden count, nobody counted or no baseline
OUTSIDE = (POSITION_ABOVE_998, POSITION_ABOVE_95, POSITION_BELOW_95, POSITION_BELOW_998)

FIGURE_COLUMNS = (
    ORGANISATION_CODE, ORGANISATION_NAME, c.LEVEL_KEY, c.LEVEL_NAME, c.PERIOD, c.CHARACTERISTIC, c.GROUP,
    c.GROUP_LABEL, c.INVOLVED, c.TOTAL, c.SHARE, c.CI_LOW, c.CI_HIGH, c.BASELINE_SHARE, c.RATIO, c.P_VALUE,
    c.P_ADJUSTED, c.STATUS, c.PEOPLE, c.DECLARATION_RATE,
)

NETWORK_COUNT_NOTE = (
    "Network totals add up people organisation by organisation: someone involved in two organisations is counted "
    "once in each. Only published (rounded) counts are added; hidden counts are left out, so a total never "
    "reveals a hidden figure."
)
ERROR_NO_ORGANISATIONS = "There are no organisations to compare."
ERROR_NO_LEVEL = "There is no level '{level}' in the published figures (levels: {found})."
ERROR_NO_PERIOD = "There is no period '{period}' in the published figures (periods: {found})."


@dataclass(frozen=True)
class Member:
    """One organisation of the network with its published representation."""

    organisation_id: int
    code: str
    name: str
    representation: Representation


def published_representation(
    frames: Frames,
    organisation_id: int,
    *,
    characteristic: str = "ethnicity_binary",
    period: str = "year",
    baseline: BaselineSpec | None = None,
    involvement: str = "all",
    settings=None,
) -> Representation:
    """One organisation's representation as a restricted role receives it (suppressed and rounded)."""

    def build(ch: str) -> Representation:
        return representation_table(frames, characteristic=ch, period=period, baseline=baseline,
                                    involvement=involvement, settings=settings)

    viewer = roles.scoped_viewer(f"{organisation_id}:{PUBLISHED_ROLE}")
    return protection.build_protected(build, characteristic, viewer, organisation_id, settings)


def _latest(members: Sequence[Member]) -> str:
    periods = [p for m in members for p in m.representation.rows[c.PERIOD].unique().to_list()]
    return max(periods)


def organisation_figures(
    members: Sequence[Member], *, level: str = "board", group: str, period: str | None = None
) -> pl.DataFrame:
    """One row per organisation (``FIGURE_COLUMNS``): its published figures for ``group`` at ``level`` in
    ``period`` (default: the latest period any organisation has). An organisation without that row gets nulls
    and status ``no_data``."""
    if not members:
        raise ValueError(ERROR_NO_ORGANISATIONS)
    period = period or _latest(members)
    rows = []
    for m in members:
        rep = m.representation
        levels = set(rep.rows[c.LEVEL_KEY].unique().to_list())
        if level not in levels:
            raise ValueError(ERROR_NO_LEVEL.format(level=level, found=", ".join(sorted(levels))))
        key = (pl.col(c.LEVEL_KEY) == level) & (pl.col(c.PERIOD) == period)
        row = rep.rows.filter(key & (pl.col(c.GROUP) == group))
        table = rep.tables.filter(key).select(c.LEVEL_KEY, c.PERIOD, c.PEOPLE, c.DECLARATION_RATE)
        row = row.join(table, on=[c.LEVEL_KEY, c.PERIOD], how="left") if row.height else None
        if row is None:
            row = pl.DataFrame({c.LEVEL_KEY: [level], c.PERIOD: [period], c.GROUP: [group],
                                c.STATUS: [c.STATUS_NO_DATA]})
        rows.append(row.with_columns(pl.lit(m.code).alias(ORGANISATION_CODE),
                                     pl.lit(m.name).alias(ORGANISATION_NAME)))
    frame = pl.concat(rows, how="diagonal_relaxed")
    missing = [pl.lit(None).alias(col) for col in FIGURE_COLUMNS if col not in frame.columns]
    return frame.with_columns(missing).select(FIGURE_COLUMNS)


def funnel_limits(total, baseline_share, coverage: float) -> tuple[np.ndarray, np.ndarray]:
    """The lower and upper funnel limits of the ratio (share / baseline share) for ``total`` people and a
    baseline share, at ``coverage`` (0.95 or 0.998): Spiegelhalter (2005)'s binomial limits, interpolated
    between whole counts, divided by ``total x baseline_share``. Null (NaN) where there is nobody or no
    baseline."""
    n = np.asarray(total, dtype=float)
    p = np.asarray(baseline_share, dtype=float)
    valid = np.isfinite(n) & np.isfinite(p) & (n > 0) & (p > 0) & (p < 1)
    n_safe, p_safe = np.where(valid, n, 1.0), np.where(valid, p, 0.5)
    limits = []
    for q in ((1 - coverage) / 2, (1 + coverage) / 2):
        r = scipy_stats.binom.ppf(q, n_safe, p_safe)
        at_r = scipy_stats.binom.cdf(r, n_safe, p_safe)
        below_r = scipy_stats.binom.cdf(r - 1, n_safe, p_safe)
        alpha = (at_r - q) / (at_r - below_r)
        proportion = np.clip((r - alpha) / n_safe, 0.0, 1.0)
        limits.append(np.where(valid, proportion / p_safe, np.nan))
    return limits[0], limits[1]


def _position() -> pl.Expr:
    ratio = pl.col(c.RATIO)
    return (
        pl.when(ratio.is_null() | pl.col(LOW_95).is_null()).then(pl.lit(POSITION_NONE))
        .when(ratio > pl.col(HIGH_998)).then(pl.lit(POSITION_ABOVE_998))
        .when(ratio > pl.col(HIGH_95)).then(pl.lit(POSITION_ABOVE_95))
        .when(ratio < pl.col(LOW_998)).then(pl.lit(POSITION_BELOW_998))
        .when(ratio < pl.col(LOW_95)).then(pl.lit(POSITION_BELOW_95))
        .otherwise(pl.lit(POSITION_WITHIN))
    )


def funnel_table(figures: pl.DataFrame) -> pl.DataFrame:
    """``figures`` with the ratio's interval (the share's Wilson interval over the baseline share), the 95% and
    99.8% funnel limits at each organisation's size and baseline, and where it sits (``funnel_position``)."""
    total = figures[c.TOTAL].cast(pl.Float64).fill_null(np.nan).to_numpy()
    baseline = figures[c.BASELINE_SHARE].cast(pl.Float64).fill_null(np.nan).to_numpy()
    low_95, high_95 = funnel_limits(total, baseline, COVERAGES[0])
    low_998, high_998 = funnel_limits(total, baseline, COVERAGES[1])

    def series(name: str, values: np.ndarray) -> pl.Series:
        return pl.Series(name, values, dtype=pl.Float64, nan_to_null=True)

    return figures.with_columns(
        (pl.col(c.CI_LOW) / pl.col(c.BASELINE_SHARE)).alias(RATIO_CI_LOW),
        (pl.col(c.CI_HIGH) / pl.col(c.BASELINE_SHARE)).alias(RATIO_CI_HIGH),
        series(LOW_95, low_95), series(HIGH_95, high_95), series(LOW_998, low_998), series(HIGH_998, high_998),
    ).with_columns(_position().alias(POSITION))


def outside_limits(funnel: pl.DataFrame) -> pl.DataFrame:
    """The organisations outside the 95% limits (and so possibly the 99.8% ones), furthest below first."""
    return funnel.filter(pl.col(POSITION).is_in(list(OUTSIDE))).sort(c.RATIO)


def funnel_sentence(funnel: pl.DataFrame) -> str:
    """One sentence naming the organisations outside the limits (or saying none is)."""
    outside = outside_limits(funnel)
    plotted = funnel.filter(pl.col(POSITION) != POSITION_NONE).height
    not_plotted = funnel.height - plotted
    tail = (f" {not_plotted} organisation{'s are' if not_plotted != 1 else ' is'} not plotted (hidden small "
            "numbers, nobody counted or no baseline)." if not_plotted else "")
    if plotted == 0:
        return ("No organisation can be plotted: every one has a hidden small number, nobody counted or no "
                "baseline for this group, level and period.")
    if outside.height == 0:
        return (f"All {plotted} organisations plotted are within the 95% limits: none differs from its own "
                f"catchment more than chance would explain.{tail}")
    parts = [f"{row[ORGANISATION_NAME]} ({row[POSITION]}, ratio {row[c.RATIO]:.2f})"
             for row in outside.iter_rows(named=True)]
    verb = "is" if outside.height == 1 else "are"
    return (f"Outside the limits {verb}: {'; '.join(parts)}. Each of these differs from its own catchment more "
            f"than chance would explain at its size.{tail}")


def network_totals(figures: pl.DataFrame) -> dict[str, object]:
    """Sums of published people across the organisations (never an average of shares), with how many
    organisations had a hidden count and the note on people counted once per organisation."""
    shown = figures.filter(pl.col(c.INVOLVED).is_not_null() & pl.col(c.TOTAL).is_not_null())
    return {
        "organisations": figures.height,
        "organisations_hidden": figures.height - shown.height,
        c.INVOLVED: int(shown[c.INVOLVED].sum() or 0),
        c.TOTAL: int(shown[c.TOTAL].sum() or 0),
        c.PEOPLE: int(figures[c.PEOPLE].drop_nulls().sum() or 0),
        "note": NETWORK_COUNT_NOTE,
    }
