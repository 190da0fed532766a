"""Trends: each group's share at each level over the periods, what changed, and whether there is a trend.

``trend_table(rep)`` is a selection of the representation table with changes added (since the previous period
and since the same period a year earlier) and, per level x group, the Cochran-Armitage test for a linear trend
in the share, in numbers and in words.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import polars as pl

from analytics import columns as C
from analytics.representation import Representation
from analytics.stats import cochran_armitage

CHANGE_SINCE_PREVIOUS_PP = "change_since_previous_pp"
CHANGE_SINCE_YEAR_AGO_PP = "change_since_year_ago_pp"
STATUS_CHANGED = "status_changed"
COCHRAN_ARMITAGE_Z = "cochran_armitage_z"
COCHRAN_ARMITAGE_P = "cochran_armitage_p"
TREND_WORDS = "trend_words"
PERIODS_WITH_DATA = "periods_with_data"
FIRST_SHARE = "first_share"
LATEST_SHARE = "latest_share"

SERIES_KEYS = (C.CHARACTERISTIC, C.LEVEL_RANK, C.LEVEL_KEY, C.LEVEL_NAME, C.GROUP, C.GROUP_LABEL)
SERIES_COLUMNS = SERIES_KEYS + (
    C.PERIOD,
    C.PERIOD_START,
    C.INVOLVED,
    C.TOTAL,
    C.SHARE,
    C.CI_LOW,
    C.CI_HIGH,
    C.BASELINE_SHARE,
    C.STATUS,
    CHANGE_SINCE_PREVIOUS_PP,
    CHANGE_SINCE_YEAR_AGO_PP,
    STATUS_CHANGED,
)
SUMMARY_COLUMNS = SERIES_KEYS + (
    PERIODS_WITH_DATA,
    FIRST_SHARE,
    LATEST_SHARE,
    COCHRAN_ARMITAGE_Z,
    COCHRAN_ARMITAGE_P,
    TREND_WORDS,
)


class Trend(NamedTuple):
    """``series``: one row per level x group x period; ``summary``: one row per level x group."""

    series: pl.DataFrame
    summary: pl.DataFrame


def _series(rep: Representation) -> pl.DataFrame:
    keys = list(SERIES_KEYS)
    rows = rep.rows.sort(*keys, C.PERIOD_START)
    year_ago = rows.select(
        *keys,
        (pl.col(C.PERIOD_START).dt.offset_by("1y")).alias(C.PERIOD_START),
        pl.col(C.SHARE).alias("_share_year_ago"),
    )
    return (
        rows.join(year_ago, on=[*keys, C.PERIOD_START], how="left")
        .with_columns(
            ((pl.col(C.SHARE) - pl.col(C.SHARE).shift(1).over(keys)) * 100).alias(CHANGE_SINCE_PREVIOUS_PP),
            ((pl.col(C.SHARE) - pl.col("_share_year_ago")) * 100).alias(CHANGE_SINCE_YEAR_AGO_PP),
            (pl.col(C.STATUS) != pl.col(C.STATUS).shift(1).over(keys)).fill_null(False).alias(STATUS_CHANGED),
        )
        .sort(*keys, C.PERIOD_START)
        .select(SERIES_COLUMNS)
    )


def _words(
    z: float, p: float, first: float | None, latest: float | None, n_periods: int, period: str, alpha: float
) -> str:
    unit = ("quarter" if period == "quarter" else "year") + ("" if n_periods == 1 else "s")
    if n_periods < 3:
        return f"Not enough data for a trend: {n_periods} {unit} with people counted (3 are needed)."
    if first is None or latest is None:
        return f"Not tested: the share is hidden in some of the {n_periods} {unit} to protect small numbers."
    span = f"from {first:.0%} to {latest:.0%} over {n_periods} {unit}"
    if np.isnan(p):
        return f"No change to test: the share went {span}."
    if p < alpha:
        direction = "Rising" if z > 0 else "Falling"
        return (
            f"{direction}: the share went {span}; a steady trend this strong is unlikely by chance "
            f"(p = {p:.3f})."
        )
    return f"No clear trend: the share went {span}, which chance alone could explain (p = {p:.2f})."


def trend_table(rep: Representation) -> Trend:
    """Series with changes and status changes, and a level x group summary with the Cochran-Armitage test."""
    series = _series(rep)
    all_periods = rep.rows.select(C.PERIOD_START).unique().sort(C.PERIOD_START).with_row_index("_score")
    scored = series.join(all_periods, on=C.PERIOD_START).filter(pl.col(C.TOTAL) > 0)
    keys = list(SERIES_KEYS)
    grouped = (
        scored.sort(C.PERIOD_START)
        .group_by(keys, maintain_order=True)
        .agg(
            pl.col(C.INVOLVED),
            pl.col(C.TOTAL),
            pl.col("_score"),
            pl.col(C.SHARE).first().alias(FIRST_SHARE),
            pl.col(C.SHARE).last().alias(LATEST_SHARE),
            pl.len().alias(PERIODS_WITH_DATA),
        )
    )
    # one small test per level x group on the aggregated series (never on people)
    tests = [
        cochran_armitage(n, t, s)
        for n, t, s in zip(
            grouped[C.INVOLVED].to_list(),
            grouped[C.TOTAL].to_list(),
            grouped["_score"].to_list(),
            strict=True,
        )
    ]
    z = [t[0] for t in tests]
    p = [t[1] for t in tests]
    words = [
        _words(zi, pi, f, la, n, rep.period, rep.alpha)
        for zi, pi, f, la, n in zip(
            z,
            p,
            grouped[FIRST_SHARE].to_list(),
            grouped[LATEST_SHARE].to_list(),
            grouped[PERIODS_WITH_DATA].to_list(),
            strict=True,
        )
    ]
    summary = grouped.with_columns(
        pl.Series(COCHRAN_ARMITAGE_Z, np.array(z, dtype=float), nan_to_null=True),
        pl.Series(COCHRAN_ARMITAGE_P, np.array(p, dtype=float), nan_to_null=True),
        pl.Series(TREND_WORDS, words, dtype=pl.String),
        pl.col(PERIODS_WITH_DATA).cast(pl.Int64),
    ).select(SUMMARY_COLUMNS)
    return Trend(series=series, summary=summary)
