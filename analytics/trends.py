"""Trends: each group's share at each level over the periods, what changed, and whether there is a trend.

``trend_table(rep)`` is a selection of the representation table with changes added (since the previous period
and since the same period a year earlier) and, per level x group, a test for a steady rise or fall, in numbers
and in words. The test looks at the people who *joined* the level in each period (``rep.joiners``), not at
everyone present: the same people stay for many periods, so counting them again each period would make chance
look like a trend. It is the Cochran-Armitage statistic with an exact (permutation) p-value for small numbers
(:func:`analytics.stats.trend_test`), Holm-adjusted across the groups of a level (two groups: one test).
For a restricted reader ``rep.joiners`` holds published counts: a series with a hidden count is not tested.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import polars as pl

from analytics import columns as C
from analytics.representation import Representation
from analytics.stats import holm_table, trend_test

CHANGE_SINCE_PREVIOUS_PP = "change_since_previous_pp"
CHANGE_SINCE_YEAR_AGO_PP = "change_since_year_ago_pp"
STATUS_CHANGED = "status_changed"
COCHRAN_ARMITAGE_Z = "cochran_armitage_z"
COCHRAN_ARMITAGE_P = "cochran_armitage_p"
TREND_P_ADJUSTED = "trend_p_adjusted"
TREND_WORDS = "trend_words"
PERIODS_WITH_DATA = "periods_with_data"
JOINED = "joined"  # people who joined the level in the periods tested (with a known value)
JOINED_OF_GROUP = "joined_of_group"
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
    C.RATIO,
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
    TREND_P_ADJUSTED,
    TREND_WORDS,
)
NO_JOINERS = "No trend test: when people joined is not known for this table."
HIDDEN = "Hidden (small numbers): too few people joined to test a trend without giving numbers away."


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
    z: float,
    p: float,
    first: float | None,
    latest: float | None,
    n_periods: int,
    joined_periods: int,
    period: str,
    alpha: float,
) -> str:
    def unit(n: int) -> str:
        return ("quarter" if period == "quarter" else "year") + ("" if n == 1 else "s")

    if n_periods < 3:
        return f"Not enough data for a trend: {n_periods} {unit(n_periods)} with people counted (3 are needed)."
    if first is None or latest is None:
        return (f"Not tested: the share is hidden in some of the {n_periods} {unit(n_periods)} to protect small "
                "numbers.")
    span = f"from {first:.0%} to {latest:.0%} over {n_periods} {unit(n_periods)}"
    if joined_periods < 3:
        return (
            f"Not enough newcomers for a trend: the share went {span}, but people joined in only "
            f"{joined_periods} {unit(joined_periods)} after the first (3 are needed)."
        )
    if np.isnan(p):
        return f"No change to test: the share went {span}, and the people who joined did not vary."
    if p < alpha:
        direction = "Rising" if z > 0 else "Falling"
        return (
            f"{direction}: the share went {span}, and the group's share of the people who joined "
            f"{'rose' if z > 0 else 'fell'} more steadily than chance would explain (p = {p:.3f}, allowing for "
            "the other groups)."
        )
    return (
        f"No clear trend: the share went {span}; who joined could be chance (p = {p:.2f}, allowing for the "
        "other groups)."
    )


def _joiner_tests(rep: Representation, keys: list[str]) -> pl.DataFrame:
    """Per level x group: the trend test on the joiners, Holm-adjusted across the groups of a level."""
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        **{k: rep.rows.schema[k] for k in keys},
        JOINED_OF_GROUP: pl.Int64,
        JOINED: pl.Int64,
        "_joined_periods": pl.Int64,
        "_hidden": pl.Boolean,
        COCHRAN_ARMITAGE_Z: pl.Float64,
        COCHRAN_ARMITAGE_P: pl.Float64,
        TREND_P_ADJUSTED: pl.Float64,
    }
    if rep.joiners is None or rep.joiners.height == 0:
        return pl.DataFrame(schema=schema)
    scores = rep.joiners.select(C.PERIOD_START).unique().sort(C.PERIOD_START).with_row_index("_score")
    series = (
        rep.joiners.join(scores, on=C.PERIOD_START)
        .sort(C.PERIOD_START)
        .group_by(keys, maintain_order=True)
        .agg(
            pl.col(C.INVOLVED),
            pl.col(C.TOTAL),
            (pl.col(C.INVOLVED).is_null() | pl.col(C.TOTAL).is_null()).any().alias("_hidden"),
            pl.col(C.INVOLVED).sum().alias(JOINED_OF_GROUP),
            pl.col(C.TOTAL).sum().alias(JOINED),
            (pl.col(C.TOTAL) > 0).sum().alias("_joined_periods"),
        )
    )
    n = np.array(series[C.INVOLVED].to_list(), dtype=float).reshape(series.height, scores.height)
    big_n = np.array(series[C.TOTAL].to_list(), dtype=float).reshape(series.height, scores.height)
    z, p = trend_test(n, big_n)
    hidden = series["_hidden"].to_numpy()
    z, p = np.where(hidden, np.nan, z), np.where(hidden, np.nan, p)
    family = series.select(pl.struct(C.CHARACTERISTIC, C.LEVEL_RANK).rank("dense")).to_series().to_numpy()
    adjusted, _ = holm_table(p, family, tested=~np.isnan(p) | hidden)
    return series.select(
        *keys,
        pl.when(~pl.col("_hidden")).then(pl.col(JOINED_OF_GROUP)).cast(pl.Int64).alias(JOINED_OF_GROUP),
        pl.when(~pl.col("_hidden")).then(pl.col(JOINED)).cast(pl.Int64).alias(JOINED),
        pl.col("_joined_periods").cast(pl.Int64),
        "_hidden",
        pl.Series(COCHRAN_ARMITAGE_Z, z, nan_to_null=True),
        pl.Series(COCHRAN_ARMITAGE_P, p, nan_to_null=True),
        pl.Series(TREND_P_ADJUSTED, adjusted, nan_to_null=True),
    )


def trend_table(rep: Representation) -> Trend:
    """Series with changes and status changes, and a level x group summary with the trend test on the people
    who joined (see the module docstring)."""
    series = _series(rep)
    keys = list(SERIES_KEYS)
    grouped = (
        series.filter(pl.col(C.TOTAL) > 0)
        .sort(C.PERIOD_START)
        .group_by(keys, maintain_order=True)
        .agg(
            pl.col(C.SHARE).first().alias(FIRST_SHARE),
            pl.col(C.SHARE).last().alias(LATEST_SHARE),
            pl.len().cast(pl.Int64).alias(PERIODS_WITH_DATA),
        )
    )
    tests = _joiner_tests(rep, keys)
    summary = grouped.join(tests, on=keys, how="left", maintain_order="left")
    words = [
        NO_JOINERS
        if row["_joined_periods"] is None
        else HIDDEN
        if row["_hidden"]
        else _words(
            np.nan if row[COCHRAN_ARMITAGE_Z] is None else row[COCHRAN_ARMITAGE_Z],
            np.nan if row[TREND_P_ADJUSTED] is None else row[TREND_P_ADJUSTED],
            row[FIRST_SHARE],
            row[LATEST_SHARE],
            row[PERIODS_WITH_DATA],
            row["_joined_periods"],
            rep.period,
            rep.alpha,
        )
        for row in summary.iter_rows(named=True)
    ]
    summary = summary.with_columns(pl.Series(TREND_WORDS, words, dtype=pl.String)).select(SUMMARY_COLUMNS)
    return Trend(series=series, summary=summary)


STATUS_SIDES = {C.STATUS_UNDER: "missing", C.STATUS_ABSENT: "missing", C.STATUS_WITHIN_RANGE: "present",
                C.STATUS_OVER: "present"}


CROSSED = "status_crossed"


def with_status_crossings(series: pl.DataFrame) -> pl.DataFrame:
    """A trend series with ``status_crossed``: True where a group's status crossed between missing (under or
    absent) and present (within range or over) since its last period on either side. Flips to and from
    'uncertain' or 'too few' are not changes anyone should act on, so they are not marked."""
    keys = [C.LEVEL_KEY, C.GROUP]
    side = pl.col(C.STATUS).replace_strict(STATUS_SIDES, default=None, return_dtype=pl.String)
    return (
        series.sort(*keys, C.PERIOD_START)
        .with_columns(side.alias("_side"))
        .with_columns(pl.col("_side").shift(1).forward_fill().over(keys).alias("_before"))
        .with_columns((pl.col("_side").is_not_null() & pl.col("_before").is_not_null()
                       & (pl.col("_side") != pl.col("_before"))).alias(CROSSED))
        .drop("_side", "_before")
    )
