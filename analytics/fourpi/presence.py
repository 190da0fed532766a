"""4PI Presence: the standards' meeting rules, per meeting and summarised per activity, level and period.

The standards: "a minimum of two and ideally three service users/carers in any meeting, with a reserve
person at high level meetings; one service user or carer should never be expected to attend a meeting and
represent the views of service users or carers", and service users and carers can be involved separately.

A meeting counts once it has happened (its date is on or before ``frames.as_of``). People attending as service
user or carer with status "attended" are counted; a reserve is a service user or carer listed with status
"reserve". Papers and start times are per-meeting Process facts and are worked out here too, so that every
meeting view comes from one table (``meeting_table``).
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from analytics import columns as c
from analytics.fourpi import tables as T
from analytics.loader import Frames
from analytics.periods import PeriodKind, with_period
from models.settings import Settings, get_settings

SummaryBy = Literal["activity", "level", "organisation"]
SU_CARER_CAPACITIES = ("service_user", "carer")
BAD_BY = "Summaries are by 'activity', 'level' or 'organisation', not {by!r}."

BREACH_ALONE = "Only one service user or carer attended"
BREACH_NONE = "No service user or carer attended"
BREACH_NO_RESERVE = "High-level meeting without a reserve"
BREACH_NOT_BOTH = "Service users and carers were not both present"
BREACH_KINDS = (BREACH_ALONE, BREACH_NONE, BREACH_NO_RESERVE, BREACH_NOT_BOTH)

MEETING_COLUMNS = (
    c.MEETING_ID,
    c.MEETING_REF,
    c.DATE,
    c.START_TIME,
    c.PAPERS_SENT,
    c.ACTIVITY_ID,
    c.ACTIVITY_REF,
    c.ACTIVITY_NAME,
    c.LEVEL_RANK,
    c.LEVEL_KEY,
    c.LEVEL_NAME,
    c.DECISION_MAKING,
    c.HIGH_LEVEL,
    c.INVOLVES,
    c.SERVICE_USERS,
    c.CARERS,
    c.SU_CARERS,
    c.RESERVES,
    c.PRESENCE_BAND,
    c.MEETS_MINIMUM,
    c.MEETS_IDEAL,
    c.ALONE,
    c.HAS_RESERVE,
    c.BOTH_NEEDED,
    c.BOTH_PRESENT,
    c.PAPERS_DAYS,
    c.PAPERS_ON_TIME,
    c.STARTS_OK,
)

_GROUP_KEYS: dict[str, tuple[str, ...]] = {
    "activity": (c.ACTIVITY_ID, c.ACTIVITY_REF, c.ACTIVITY_NAME, c.LEVEL_RANK, c.LEVEL_NAME),
    "level": (c.LEVEL_RANK, c.LEVEL_KEY, c.LEVEL_NAME),
    "organisation": (),
}


def activities_with_levels(frames: Frames) -> pl.LazyFrame:
    """Activities with their level's rank, key, name and decision-making flag."""
    return T.activities(frames).join(T.levels(frames), on=c.LEVEL_ID, how="left")


def _attendance_counts(frames: Frames) -> pl.LazyFrame:
    capacity, status = pl.col(c.CAPACITY), pl.col(c.ATTENDANCE_STATUS)
    attended = status == "attended"
    return (
        T.attendance(frames)
        .group_by(c.MEETING_ID)
        .agg(
            (attended & (capacity == "service_user")).sum().alias(c.SERVICE_USERS),
            (attended & (capacity == "carer")).sum().alias(c.CARERS),
            ((status == "reserve") & capacity.is_in(SU_CARER_CAPACITIES)).sum().alias(c.RESERVES),
        )
    )


def meeting_table_lazy(frames: Frames, settings: Settings | None = None) -> pl.LazyFrame:
    settings = settings or get_settings()
    counts = (c.SERVICE_USERS, c.CARERS, c.RESERVES)
    su_carers = pl.col(c.SU_CARERS)
    papers_days = pl.col(c.PAPERS_DAYS)
    return (
        T.meetings(frames)
        .filter(pl.col(c.DATE) <= frames.as_of)
        .join(activities_with_levels(frames).drop(c.START_DATE, c.END_DATE), on=c.ACTIVITY_ID, how="left")
        .join(_attendance_counts(frames), on=c.MEETING_ID, how="left")
        .with_columns(pl.col(n).fill_null(0).cast(pl.Int64) for n in counts)
        .with_columns(
            (pl.col(c.SERVICE_USERS) + pl.col(c.CARERS)).alias(c.SU_CARERS),
            (pl.col(c.DATE) - pl.col(c.PAPERS_SENT)).dt.total_days().alias(c.PAPERS_DAYS),
        )
        .with_columns(
            pl.when(su_carers >= 3)
            .then(pl.lit("3+"))
            .otherwise(su_carers.cast(pl.String))
            .alias(c.PRESENCE_BAND),
            (su_carers >= settings.meeting_minimum).alias(c.MEETS_MINIMUM),
            (su_carers >= settings.meeting_ideal).alias(c.MEETS_IDEAL),
            (su_carers == 1).alias(c.ALONE),
            (pl.col(c.RESERVES) > 0).alias(c.HAS_RESERVE),
            (pl.col(c.INVOLVES) == "both").alias(c.BOTH_NEEDED),
            ((pl.col(c.SERVICE_USERS) > 0) & (pl.col(c.CARERS) > 0)).alias(c.BOTH_PRESENT),
            (papers_days >= settings.papers_days_before).alias(c.PAPERS_ON_TIME),
            (pl.col(c.START_TIME) >= settings.earliest_start).alias(c.STARTS_OK),
        )
        .select(MEETING_COLUMNS)
        .sort(c.DATE, c.MEETING_ID)
    )


def meeting_table(frames: Frames, settings: Settings | None = None) -> pl.DataFrame:
    """One row per meeting held: who attended (service users, carers, reserves), the presence rules met, and
    the process facts (days papers went out before, on time or not, start time at or after the earliest)."""
    return meeting_table_lazy(frames, settings).collect()


def presence_aggregations() -> list[pl.Expr]:
    """The per-group presence figures, as expressions for one ``group_by().agg()``."""
    n = pl.col(c.SU_CARERS)
    high = pl.col(c.HIGH_LEVEL).fill_null(False)
    both_needed = pl.col(c.BOTH_NEEDED).fill_null(False)
    return [
        pl.len().alias(c.MEETINGS),
        (n == 0).sum().alias(c.MEETINGS_0),
        (n == 1).sum().alias(c.MEETINGS_1),
        (n == 2).sum().alias(c.MEETINGS_2),
        (n >= 3).sum().alias(c.MEETINGS_3_PLUS),
        pl.col(c.MEETS_MINIMUM).mean().alias(c.SHARE_MINIMUM),
        pl.col(c.MEETS_IDEAL).mean().alias(c.SHARE_IDEAL),
        n.mean().alias(c.AVERAGE_SU_CARERS),
        high.sum().alias(c.HIGH_LEVEL_MEETINGS),
        (high & ~pl.col(c.HAS_RESERVE)).sum().alias(c.HIGH_LEVEL_WITHOUT_RESERVE),
        both_needed.sum().alias(c.BOTH_NEEDED_MEETINGS),
        (both_needed & pl.col(c.BOTH_PRESENT)).sum().alias(c.BOTH_PRESENT_MEETINGS),
    ]


def _group_keys(by: str, period: PeriodKind | None) -> list[str]:
    if by not in _GROUP_KEYS:
        raise ValueError(BAD_BY.format(by=by))
    keys = list(_GROUP_KEYS[by])
    return keys + [c.PERIOD, c.PERIOD_START] if period else keys


def presence_summary(
    frames: Frames,
    *,
    by: SummaryBy = "activity",
    period: PeriodKind | None = "quarter",
    settings: Settings | None = None,
) -> pl.DataFrame:
    """Meetings with 0, 1, 2 and 3+ service users/carers, the share meeting the minimum and the ideal,
    high-level meetings without a reserve, and meetings where both were present when both are involved;
    per activity, level or the whole organisation, per quarter or year (``period=None``: all meetings)."""
    keys = _group_keys(by, period)
    meetings = meeting_table_lazy(frames, settings)
    if period:
        meetings = with_period(meetings, c.DATE, period)
    if not keys:
        return meetings.select(presence_aggregations()).collect()
    return meetings.group_by(keys).agg(presence_aggregations()).sort(keys).collect()


def meeting_breaches(frames: Frames, settings: Settings | None = None) -> pl.DataFrame:
    """Every meeting that broke a presence rule, one row per meeting and rule (plain words in BREACH):
    one person alone, nobody at all, a high-level meeting without a reserve, or service users and carers not
    both present where the activity involves both."""
    meetings = meeting_table_lazy(frames, settings)
    n = pl.col(c.SU_CARERS)
    rules = (
        (BREACH_ALONE, n == 1),
        (BREACH_NONE, n == 0),
        (BREACH_NO_RESERVE, pl.col(c.HIGH_LEVEL).fill_null(False) & ~pl.col(c.HAS_RESERVE)),
        (BREACH_NOT_BOTH, pl.col(c.BOTH_NEEDED).fill_null(False) & ~pl.col(c.BOTH_PRESENT) & (n > 0)),
    )
    columns = [
        c.DATE,
        c.MEETING_REF,
        c.ACTIVITY_REF,
        c.ACTIVITY_NAME,
        c.LEVEL_RANK,
        c.LEVEL_NAME,
        c.SERVICE_USERS,
        c.CARERS,
        c.RESERVES,
    ]
    parts = [meetings.filter(rule).select(*columns, pl.lit(text).alias(c.BREACH)) for text, rule in rules]
    return pl.concat(parts).sort(c.DATE, c.MEETING_REF, c.BREACH).collect()


def lone_breaches(frames: Frames, settings: Settings | None = None) -> pl.DataFrame:
    """Meetings where one service user or carer attended alone: activity name, level and date."""
    return (
        meeting_table_lazy(frames, settings)
        .filter(pl.col(c.ALONE))
        .select(
            c.ACTIVITY_NAME, c.LEVEL_NAME, c.DATE, c.ACTIVITY_REF, c.MEETING_REF, c.SERVICE_USERS, c.CARERS
        )
        .collect()
    )
