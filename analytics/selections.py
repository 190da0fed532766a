"""Small selections of a (protected) representation that the pages and the board pack read: one period, the
same period a year before, the groups missing at the decision-making levels, the levels too small for
statistics. No statistics here: they select rows the engine already worked out."""

from __future__ import annotations

import polars as pl

from analytics import columns as c
from analytics import suppression
from analytics.representation import Representation, latest_period

MISSING_STATUSES = (c.STATUS_UNDER, c.STATUS_ABSENT)


def has_people(rep: Representation) -> bool:
    """True when anyone at all is counted in the chosen periods (known answer or not)."""
    counted = pl.col(c.PEOPLE).fill_null(0) > 0
    flag = suppression.suppressed_flag(c.PEOPLE)
    if flag in rep.tables.columns:  # a hidden count is 1 to 7 people: someone
        counted = counted | pl.col(flag)
    return rep.tables.height > 0 and bool(rep.tables.select(counted.any()).item())


def in_period_range(frame: pl.DataFrame, period_from: str | None, period_to: str | None) -> pl.DataFrame:
    """Rows whose period lies in the chosen range (period labels sort in time order); None: open at that end.
    The dashboard's period range and the board pack's both select with this."""
    if period_from is not None:
        frame = frame.filter(pl.col(c.PERIOD) >= period_from)
    if period_to is not None:
        frame = frame.filter(pl.col(c.PERIOD) <= period_to)
    return frame


def year_before(period: str) -> str:
    """The same period one year earlier: '2024-Q3' -> '2023-Q3', '2024' -> '2023'."""
    year, _, quarter = period.partition("-")
    return f"{int(year) - 1}" + (f"-{quarter}" if quarter else "")


def at_period(frame: pl.DataFrame, period: str | None) -> pl.DataFrame:
    return frame.filter(pl.col(c.PERIOD) == period) if period is not None else frame.clear()


def missing_at_decision_levels(rows: pl.DataFrame) -> pl.DataFrame:
    """Groups under-represented or absent at decision-making levels in the latest period, largest shortfall
    first."""
    latest = at_period(rows, latest_period(rows))
    return (
        latest.filter(pl.col(c.DECISION_MAKING) & pl.col(c.STATUS).is_in(MISSING_STATUSES))
        .sort([c.SHORTFALL, c.LEVEL_RANK], descending=[True, True])
    )


def too_small_levels(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows of the latest period at levels too small for statistics: where at least half the groups whose
    share differs from the baseline (not within range) are 'too few to tell'. Shown as counts and whole-person
    shortfall instead."""
    latest = at_period(rows, latest_period(rows))
    status = pl.col(c.STATUS)
    testable = ~status.is_in([c.STATUS_NO_BASELINE, c.STATUS_NO_DATA, c.STATUS_HIDDEN, c.STATUS_WITHIN_RANGE])
    small = (latest.group_by(c.LEVEL_KEY)
             .agg(testable.sum().alias("testable"), (status == c.STATUS_TOO_FEW).sum().alias("too_few"))
             .filter((pl.col("testable") > 0) & (pl.col("too_few") * 2 >= pl.col("testable"))))
    return latest.filter(pl.col(c.LEVEL_KEY).is_in(small.get_column(c.LEVEL_KEY).implode())).sort(
        [c.LEVEL_RANK, c.SHORTFALL], descending=[True, True])


def no_baseline(rows: pl.DataFrame) -> bool:
    """True when no group has a baseline figure (every comparison is impossible)."""
    counted = rows.filter(pl.col(c.TOTAL) > 0)
    return counted.height > 0 and bool((counted.get_column(c.STATUS) == c.STATUS_NO_BASELINE).all())


def gap_summary(gaps: pl.DataFrame) -> tuple[int, int]:
    """How many places (a level as a whole, or one committee) have a gap, and how many people in all would
    give every group there a matching share (withheld shortfalls count as none)."""
    places = gaps.select(c.LEVEL_KEY, "activity_name").unique().height
    return places, int(gaps.get_column(c.SHORTFALL).fill_null(0).sum())


def people_to_add(outreach: pl.DataFrame) -> int:
    """People to add at whole levels, over an outreach list's level rows (activities overlap their levels, so
    they are not added; withheld shortfalls count as none)."""
    from analytics.outreach import UNIT

    return int(outreach.filter(pl.col(UNIT) == "level").get_column(c.SHORTFALL).sum())
