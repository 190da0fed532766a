"""Calendar periods: quarters ("2024-Q1") and years ("2024"), as polars expressions, for every analysis.

Records with one date (a meeting, a claim, a questionnaire) fall in the period of that date. Records with a
span (an activity, an involvement) count in every period they overlap: the 4PI indicators join them to the
list of periods (:func:`spans_by_period`); the representation engine numbers periods (:func:`index_of`:
quarters since year 0, or the year) and works with ranges of those numbers.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

import polars as pl

from analytics import columns as c

PeriodKind = Literal["quarter", "year"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("quarter", "year")
_INTERVAL = {"quarter": "1q", "year": "1y"}
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")

BAD_PERIOD_KIND = "The period must be 'quarter' or 'year', not {period!r}."
BAD_PERIOD_LABEL = "The period {label!r} is neither a year such as '2025' nor a quarter such as '2025-Q3'."


def check_period(period: str) -> PeriodKind:
    """``period`` as a :data:`PeriodKind`; ``ValueError`` with :data:`BAD_PERIOD_KIND` for anything else."""
    if period == "quarter":
        return "quarter"
    if period == "year":
        return "year"
    raise ValueError(BAD_PERIOD_KIND.format(period=period))


def period_label(column: str, period: PeriodKind) -> pl.Expr:
    """The label of the calendar period a date column falls in: '2024-Q2' or '2024'."""
    check_period(period)
    day = pl.col(column)
    if period == "year":
        return day.dt.year().cast(pl.String)
    return pl.format("{}-Q{}", day.dt.year(), day.dt.quarter())


def period_start(column: str, period: PeriodKind) -> pl.Expr:
    return pl.col(column).dt.truncate(_INTERVAL[check_period(period)])


def with_period(frame: pl.LazyFrame, column: str, period: PeriodKind) -> pl.LazyFrame:
    """Add PERIOD and PERIOD_START from a date column (rows without a date get null periods)."""
    return frame.with_columns(
        period_label(column, period).alias(c.PERIOD),
        period_start(column, period).alias(c.PERIOD_START),
    )


def parse_period(label: str) -> tuple[PeriodKind, date, date]:
    """('quarter' | 'year', first day, last day) of a period label; ValueError for anything else."""
    text = str(label).strip()
    if match := _QUARTER.match(text):
        year, quarter = int(match[1]), int(match[2])
        first = date(year, 3 * quarter - 2, 1)
        last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return "quarter", first, date.fromordinal(last.toordinal() - 1)
    if match := _YEAR.match(text):
        year = int(match[1])
        return "year", date(year, 1, 1), date(year, 12, 31)
    raise ValueError(BAD_PERIOD_LABEL.format(label=label))


def previous_year_period(label: str) -> str:
    """The same period one year earlier: '2025' -> '2024', '2025-Q3' -> '2024-Q3'."""
    kind, first, _ = parse_period(label)
    if kind == "year":
        return str(first.year - 1)
    return f"{first.year - 1}-Q{(first.month - 1) // 3 + 1}"


def earliest(days: pl.Series) -> date | None:
    """The earliest date of a date column (None when it has none)."""
    first = days.min()
    return first if isinstance(first, date) else None


def latest(days: pl.Series) -> date | None:
    """The latest date of a date column (None when it has none)."""
    last = days.max()
    return last if isinstance(last, date) else None


def label_of(day: date, period: PeriodKind) -> str:
    check_period(period)
    return str(day.year) if period == "year" else f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def periods_between(first: date | None, last: date, period: PeriodKind) -> pl.LazyFrame:
    """Every period from the one holding ``first`` to the one holding ``last``.

    Columns PERIOD, PERIOD_START and PERIOD_END.
    """
    interval = _INTERVAL[check_period(period)]
    if first is None or first > last:
        starts = pl.Series(c.PERIOD_START, [], dtype=pl.Date)
    else:
        kind_first = parse_period(label_of(first, period))[1]
        starts = pl.date_range(kind_first, last, interval=interval, eager=True).alias(c.PERIOD_START)
    return (
        pl.LazyFrame(starts.to_frame())
        .with_columns(
            pl.col(c.PERIOD_START).dt.offset_by(interval).dt.offset_by("-1d").alias(c.PERIOD_END),
            period_label(c.PERIOD_START, period).alias(c.PERIOD),
        )
        .select(c.PERIOD, c.PERIOD_START, c.PERIOD_END)
    )


def spans_by_period(
    spans: pl.LazyFrame,
    periods: pl.LazyFrame,
    *,
    start: str = c.START_DATE,
    end: str = c.END_DATE,
) -> pl.LazyFrame:
    """One row per span (activity, involvement) per period it overlaps; an open end means 'still going'."""
    return spans.join(periods, how="cross").filter(
        (pl.col(start) <= pl.col(c.PERIOD_END))
        & (pl.col(end).is_null() | (pl.col(end) >= pl.col(c.PERIOD_START)))
    )


# --- Period numbers (the representation engine) ------------------------------------------------------------


def index_of(day: pl.Expr, period: str) -> pl.Expr:
    """The period number of a date: quarters since year 0 (year * 4 + quarter - 1), or the calendar year."""
    if period == "quarter":
        return day.dt.year().cast(pl.Int64) * 4 + (day.dt.month().cast(pl.Int64) - 1) // 3
    return day.dt.year().cast(pl.Int64)


def index_label(index: pl.Expr, period: str) -> pl.Expr:
    """The label of a period number: '2024-Q2' or '2024'."""
    if period == "quarter":
        return pl.format("{}-Q{}", index // 4, index % 4 + 1)
    return index.cast(pl.String)


def index_start(index: pl.Expr, period: str) -> pl.Expr:
    """The first day of a period number."""
    if period == "quarter":
        return pl.date(index // 4, (index % 4) * 3 + 1, 1)
    return pl.date(index, 1, 1)
