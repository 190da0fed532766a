"""Outreach list: which groups are missing where, most missing people first.

The level list is a selection of the representation table (status ``under`` or ``absent`` in the latest
period). Given the frames, the same comparison is made per activity (each committee, project or group against
the same baseline shares), so that outreach can be aimed at a particular committee.
"""

from __future__ import annotations

import polars as pl

from analytics import columns as C
from analytics.counting import (
    ACTIVITY_ID,
    KNOWN,
    PERIOD_INDEX,
    STATE,
    count_groups,
    periods,
    person_groups,
    presence,
    table_counts,
)
from analytics.loader import Frames
from analytics.representation import Representation, latest_period
from analytics.stats import compare_with_baseline

UNIT = "unit"  # "level" or "activity"
ACTIVITY_REF = "activity_ref"
ACTIVITY_NAME = "activity_name"
PRIORITY = "priority"  # 1 = most people missing
OUTREACH_COLUMNS = (
    PRIORITY,
    UNIT,
    C.LEVEL_RANK,
    C.LEVEL_KEY,
    C.LEVEL_NAME,
    ACTIVITY_REF,
    ACTIVITY_NAME,
    C.PERIOD,
    C.CHARACTERISTIC,
    C.GROUP,
    C.GROUP_LABEL,
    C.INVOLVED,
    C.TOTAL,
    C.SHARE,
    C.BASELINE_SHARE,
    C.EXPECTED,
    C.SHORTFALL,
    C.RATIO,
    C.P_ADJUSTED,
    C.STATUS,
)
_MISSING = [C.STATUS_UNDER, C.STATUS_ABSENT]


def _activity_rows(rep: Representation, frames: Frames, period: str) -> pl.DataFrame:
    characteristics = tuple(rep.characteristic.split(" × "))
    if any(c not in C.CHARACTERISTICS for c in characteristics):
        return pl.DataFrame()
    present = presence(frames, period=rep.period, involvement=rep.involvement, by_activity=True)
    groups = person_groups(
        frames.people.lazy(), characteristics, chinese_as_asian=rep.chinese_as_asian, detail=rep.detail
    )
    counted = count_groups(present, groups, unit=ACTIVITY_ID)
    this_period = periods(frames, rep.period).filter(pl.col(C.PERIOD) == period)
    totals = table_counts(counted, unit=ACTIVITY_ID).join(this_period, on=PERIOD_INDEX)
    shares = (
        rep.rows.filter(pl.col(C.PERIOD) == period)
        .unique(C.GROUP, keep="first")
        .select(C.GROUP, C.GROUP_LABEL, C.BASELINE_SHARE)
        .lazy()
    )
    activities = frames.activities.lazy().select(
        pl.col("id").alias(ACTIVITY_ID),
        pl.col("ref").alias(ACTIVITY_REF),
        pl.col("name").alias(ACTIVITY_NAME),
        "level_id",
    )
    levels = frames.levels.lazy().select(
        pl.col("id").alias("level_id"),
        pl.col("rank").alias(C.LEVEL_RANK),
        pl.col("key").alias(C.LEVEL_KEY),
        pl.col("name").alias(C.LEVEL_NAME),
    )
    known = counted.filter(pl.col(STATE) == KNOWN).select(ACTIVITY_ID, PERIOD_INDEX, C.GROUP, C.INVOLVED)
    rows = (
        totals.filter(pl.col(C.TOTAL) > 0)
        .select(ACTIVITY_ID, PERIOD_INDEX, C.PERIOD, C.TOTAL)
        .join(shares, how="cross")
        .join(known, on=[ACTIVITY_ID, PERIOD_INDEX, C.GROUP], how="left")
        .with_columns(pl.col(C.INVOLVED).fill_null(0))
        .join(activities, on=ACTIVITY_ID)
        .join(levels, on="level_id")
        .with_columns(pl.lit(rep.characteristic).alias(C.CHARACTERISTIC))
        .collect()
    )
    if rows.height == 0:
        return pl.DataFrame()
    return compare_with_baseline(
        rows,
        table_keys=[ACTIVITY_ID],
        alpha=rep.alpha,
        under_threshold=rep.under_threshold,
        confidence=rep.confidence,
    ).with_columns(pl.lit("activity").alias(UNIT))


def outreach_list(
    rep: Representation, frames: Frames | None = None, *, period: str | None = None, published: bool = False
) -> pl.DataFrame:
    """Groups under-represented or absent in the latest period, ranked by shortfall (most missing people
    first) then adjusted p-value; per level, and per activity when ``frames`` are given.

    ``published`` (for a reader who sees published figures, with ``rep`` already protected): each activity's
    whole table (every group) is disclosure-controlled first, and the missing groups are chosen from its
    published statuses. Choosing from the exact statuses would tell that reader something the published
    figures hide: that a hidden count was below what the population share would lead us to expect."""
    period = period or latest_period(rep.rows)
    levels = rep.rows.filter((pl.col(C.PERIOD) == period) & pl.col(C.STATUS).is_in(_MISSING)).with_columns(
        pl.lit("level").alias(UNIT),
        pl.lit(None, dtype=pl.String).alias(ACTIVITY_REF),
        pl.lit(None, dtype=pl.String).alias(ACTIVITY_NAME),
    )
    parts = [levels.select([c for c in OUTREACH_COLUMNS if c != PRIORITY])]
    if frames is not None and period is not None:
        activity = _activity_rows(rep, frames, period)
        if activity.height and published:
            activity = _published_activity(activity)
        if activity.height:
            parts.append(
                activity.filter(pl.col(C.STATUS).is_in(_MISSING)).select(
                    [c for c in OUTREACH_COLUMNS if c != PRIORITY]
                )
            )
    result = pl.concat(parts, how="vertical_relaxed")
    return (
        result.sort(
            [C.SHORTFALL, C.P_ADJUSTED, C.LEVEL_RANK], descending=[True, False, True], nulls_last=True
        )
        .with_row_index(PRIORITY, offset=1)
        .with_columns(pl.col(PRIORITY).cast(pl.Int64))
        .select(OUTREACH_COLUMNS)
    )


def _published_activity(activity: pl.DataFrame) -> pl.DataFrame:
    """Every activity's table as a restricted reader receives it: suppressed and rounded per activity, with
    share, interval, test and status derived again from the published counts (one derivation)."""
    from analytics import suppression  # imports the settings when used

    rows, _ = suppression.suppress_representation(
        activity.select([c for c in OUTREACH_COLUMNS if c != PRIORITY]), None, extra_key=(UNIT, ACTIVITY_REF)
    )
    return rows


def committee_findings(
    rep: Representation, frames: Frames, *, period: str | None = None, published: bool = False
) -> pl.DataFrame:
    """Every level and committee (activity) where a group is missing in the latest period: the outreach list
    without its priority column. These are figures about groups, not the outreach working list (which only
    roles with outreach lists get): the Overview's, Decision-making's and the board pack's committee findings
    all read this one table, each protected for its reader (``analytics.protection.protect``, as ``CommitteeRows``)."""
    return outreach_list(rep, frames=frames, period=period, published=published).drop(PRIORITY)
