"""The table behind a 4PI scorecard row, and a committee chair's view of one activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from analytics import columns as c
from analytics.fourpi import tables as T
from analytics.fourpi.impact import QUESTION_LABELS, feedback_results, impact_latest, review_cycle_state
from analytics.fourpi.presence import meeting_breaches, meeting_table
from analytics.fourpi.process import payment_table, purpose_status, role_descriptions, support_summary
from analytics.loader import Frames
from analytics.periods import parse_period
from data import codes
from models.settings import Settings, get_settings

UNKNOWN_ACTIVITY = "There is no activity with the reference {ref!r}."
UNKNOWN_DETAIL = "There is no 4PI detail table called {key!r}; choose one of: {keys}."
BAD_LAST_N = "last_n must be a whole number of 1 or more, not {last_n!r}."

DETAIL_KEYS: tuple[str, ...] = (
    "meetings",
    "breaches",
    "purpose",
    "payments",
    "role_descriptions",
    "support",
    "impact",
    "feedback",
    "review",
)


def _in_period(frame: pl.DataFrame, column: str, period: str | None) -> pl.DataFrame:
    if period is None:
        return frame
    _, first, last = parse_period(period)
    return frame.filter(pl.col(column).is_between(first, last))


def scorecard_detail(
    frames: Frames,
    detail_key: str,
    *,
    period: str | None = None,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """The table behind a scorecard row (its DETAIL_KEY): meetings, breaches and payments are limited to the
    period; feedback is counted for the period; the other tables show the current state of every activity."""
    settings = settings or get_settings()
    kind = parse_period(period)[0] if period else None
    if detail_key == "meetings":
        return _in_period(meeting_table(frames, settings), c.DATE, period)
    if detail_key == "breaches":
        return _in_period(meeting_breaches(frames, settings), c.DATE, period)
    if detail_key == "purpose":
        return purpose_status(frames, settings)
    if detail_key == "payments":
        return _in_period(payment_table(frames, settings), c.CLAIM_DATE, period)
    if detail_key == "role_descriptions":
        return role_descriptions(frames)
    if detail_key == "support":
        table = support_summary(frames, period=kind)
        return table.filter(pl.col(c.PERIOD) == period) if period else table
    if detail_key == "impact":
        return impact_latest(frames)
    if detail_key == "feedback":
        table = feedback_results(frames, by="activity", period=kind)
        return table.filter(pl.col(c.PERIOD) == period) if period else table
    if detail_key == "review":
        return review_cycle_state(frames)
    raise ValueError(UNKNOWN_DETAIL.format(key=detail_key, keys=", ".join(DETAIL_KEYS)))


# --- A committee chair's view of one activity ---------------------------------------------------------------


def activity_list(frames: Frames) -> pl.DataFrame:
    """Activities to pick from: reference, name, level, whether it has ended (on ``as_of``) and meetings
    held; running activities first, then by level (board first) and name."""
    held = (
        T.meetings(frames)
        .filter(pl.col(c.DATE) <= frames.as_of)
        .group_by(c.ACTIVITY_ID)
        .agg(pl.len().cast(pl.Int64).alias(c.MEETINGS))
    )
    ended = pl.col(c.END_DATE).is_not_null() & (pl.col(c.END_DATE) < frames.as_of)
    return (
        T.activities(frames)
        .join(T.levels(frames), on=c.LEVEL_ID, how="left")
        .join(held, on=c.ACTIVITY_ID, how="left")
        .with_columns(pl.col(c.MEETINGS).fill_null(0), ended.alias("ended"))
        .sort(["ended", c.LEVEL_RANK, c.ACTIVITY_NAME], descending=[False, True, False], nulls_last=True)
        .select(c.ACTIVITY_REF, c.ACTIVITY_NAME, c.LEVEL_NAME, c.HIGH_LEVEL, "ended", c.MEETINGS)
        .collect()
    )


@dataclass(frozen=True)
class ActivitySummary:
    """Everything a chair needs before the next meeting: sentences first, then the tables behind them."""

    activity_ref: str
    activity_name: str
    level_name: str | None
    high_level: bool
    involves: str
    sentences: tuple[str, ...]
    meetings: pl.DataFrame  # the last_n meetings held, oldest first
    breaches: pl.DataFrame  # every presence breach of the activity, newest first
    payments: pl.DataFrame  # claims of the activity, newest first
    impact: pl.DataFrame  # impact log entries, newest first
    feedback: pl.DataFrame  # per question, all time
    review: dict[str, object]  # one row of review_cycle_state


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _presence_sentence(stats: dict[str, Any], last_n: int, settings: Settings) -> str:
    held = stats["held"]
    if held == 0:
        return "No meetings of this activity have been held yet."
    lead = f"Your last {held} meetings" if held == last_n else f"Your {_plural(held, 'meeting')} so far"
    if held == 1:
        lead = "Your last meeting" if last_n == 1 else "Your only meeting so far"
    problems = []
    if stats["alone"]:
        problems.append(f"{stats['alone']} had only one service user or carer")
    if stats["none"]:
        problems.append(f"{stats['none']} had none at all")
    minimum = f"{stats['minimum']} of {held} had the minimum of {settings.meeting_minimum}"
    ideal = f"{stats['ideal']} the ideal of {settings.meeting_ideal} or more"
    body = "; ".join(problems + [f"{minimum} and {ideal}"])
    return f"{lead}: {body}."


def _reserve_sentence(stats: dict[str, Any]) -> str:
    held, missing = stats["held"], stats["no_reserve"]
    if missing == 0:
        every = "the meeting" if held == 1 else f"all {held} meetings"
        return f"This is a high-level activity: {every} had a reserve service user or carer."
    return (
        f"This is a high-level activity: {missing} of {held} meetings had no reserve service user or carer."
    )


def _papers_sentence(stats: dict[str, Any], settings: Settings) -> str | None:
    held, recorded = stats["held"], stats["papers_recorded"]
    if held == 0:
        return None
    if recorded == 0:
        return "No dates are recorded for when the papers were sent."
    average = round(stats["papers_mean"])
    sentence = (
        f"Papers went out {_plural(average, 'day')} before on average (the standard is at least "
        f"{settings.papers_days_before}); {stats['papers_on_time']} of {recorded} went out in time"
    )
    missing = held - recorded
    return sentence + (
        f", and {missing} {'has' if missing == 1 else 'have'} no date recorded." if missing else "."
    )


def _start_sentence(stats: dict[str, Any], settings: Settings) -> str | None:
    held, recorded = stats["held"], stats["starts_recorded"]
    if held == 0 or recorded == 0:
        return None if held == 0 else "No start times are recorded."
    earliest = settings.earliest_start.strftime("%H:%M")
    sentence = f"{stats['starts_ok']} of {recorded} meetings started at {earliest} or later"
    missing = held - recorded
    return sentence + (f" ({missing} with no start time recorded)." if missing else ".")


def _recent_stats(recent: pl.DataFrame) -> dict[str, Any]:
    high = pl.col(c.HIGH_LEVEL).fill_null(False)
    return recent.select(
        pl.len().alias("held"),
        pl.col(c.ALONE).sum().alias("alone"),
        (pl.col(c.SU_CARERS) == 0).sum().alias("none"),
        pl.col(c.MEETS_MINIMUM).sum().alias("minimum"),
        pl.col(c.MEETS_IDEAL).sum().alias("ideal"),
        pl.col(c.PAPERS_DAYS).mean().alias("papers_mean"),
        pl.col(c.PAPERS_DAYS).is_not_null().sum().alias("papers_recorded"),
        pl.col(c.PAPERS_ON_TIME).sum().alias("papers_on_time"),
        pl.col(c.STARTS_OK).is_not_null().sum().alias("starts_recorded"),
        pl.col(c.STARTS_OK).sum().alias("starts_ok"),
        (high & ~pl.col(c.HAS_RESERVE)).sum().alias("no_reserve"),
        (pl.col(c.BOTH_NEEDED) & pl.col(c.BOTH_PRESENT)).fill_null(False).sum().alias("both"),
    ).row(0, named=True)


def _payment_sentence(payments: pl.DataFrame, settings: Settings) -> str | None:
    if payments.height == 0:
        return None
    counts = payments.select(
        *[
            (pl.col(c.PAYMENT_STATUS) == s).sum().alias(s)
            for s in (c.PAYMENT_ON_TIME, c.PAYMENT_LATE, c.PAYMENT_OVERDUE, c.PAYMENT_PENDING)
        ]
    ).row(0, named=True)
    days = settings.payment_days
    parts = [f"{counts[c.PAYMENT_ON_TIME]} paid within {days} days"]
    if counts[c.PAYMENT_LATE]:
        parts.append(f"{counts[c.PAYMENT_LATE]} paid late")
    if counts[c.PAYMENT_OVERDUE]:
        parts.append(f"{counts[c.PAYMENT_OVERDUE]} still unpaid after more than {days} days")
    if counts[c.PAYMENT_PENDING]:
        parts.append(f"{counts[c.PAYMENT_PENDING]} waiting, still within {days} days")
    return f"Fees and expenses: of {_plural(payments.height, 'claim')}, " + ", ".join(parts) + "."


def _review_sentence(review: dict[str, Any]) -> str:
    stage_label = codes.REVIEW_STAGES
    cycle = review.get(c.LATEST_CYCLE)
    done = review.get(c.STAGES_DONE) or ""
    next_stage = review.get(c.NEXT_STAGE)
    if cycle is None:
        start = "No review steps are recorded yet"
    else:
        start = f"Review cycle {cycle}: " + (f"{done} done" if done else "nothing done yet")
    if next_stage is None:
        return start + "; the activity has ended and its cycle is complete."
    due = review.get(c.NEXT_DUE)
    when = f", due {_long_date(due)}" if due else ""
    late = " (overdue)" if review.get(c.OVERDUE) else ""
    return f"{start}; next is {stage_label[next_stage]} of cycle {review.get('next_cycle')}{when}{late}."


def _impact_sentence(impact: pl.DataFrame) -> str:
    if impact.height == 0:
        return "No changes have been logged yet: what difference has involvement made?"
    latest = impact.row(0, named=True)
    return (
        f"{_plural(impact.height, 'change')} logged, the latest on {_long_date(latest[c.RECORDED_ON])} "
        f"({latest[c.IMPACT_AREA_LABEL]}): \u201c{latest[c.WHAT_CHANGED].strip().rstrip('.')}\u201d."
    )


def _feedback_sentence(feedback: pl.DataFrame) -> str | None:
    order = {q: i for i, q in enumerate(c.FEEDBACK_QUESTIONS)}
    answered = feedback.filter(pl.col(c.STATED) > 0).sort(pl.col(c.QUESTION).replace_strict(order))
    if answered.height == 0:
        return None if feedback.height == 0 else "Feedback questionnaires came back with no answers stated."
    parts = [
        f"{r[c.AGREE]} of {r[c.STATED]} agreed '{QUESTION_LABELS[r[c.QUESTION]]}'"
        for r in answered.iter_rows(named=True)
    ]  # at most three rows: one per question
    return "Feedback: " + "; ".join(parts) + "."


def activity_summary(
    frames: Frames,
    activity_ref: str,
    last_n: int = 4,
    settings: Settings | None = None,
) -> ActivitySummary:
    """A chair's summary of one activity: plain sentences about its last ``last_n`` meetings (presence,
    papers, start times, reserves), its purpose, payments, review cycle, impact and feedback, and the tables
    behind them.
    """
    settings = settings or get_settings()
    if not isinstance(last_n, int) or last_n < 1:
        raise ValueError(BAD_LAST_N.format(last_n=last_n))
    purpose = purpose_status(frames, settings).filter(pl.col(c.ACTIVITY_REF) == activity_ref)
    if purpose.height == 0:
        raise ValueError(UNKNOWN_ACTIVITY.format(ref=activity_ref))
    activity = T.activities(frames).filter(pl.col(c.ACTIVITY_REF) == activity_ref).collect().row(0, named=True)
    mine = pl.col(c.ACTIVITY_REF) == activity_ref
    recent = meeting_table(frames, settings).filter(mine).tail(last_n)
    stats = _recent_stats(recent)
    sentences = [_presence_sentence(stats, last_n, settings)]
    if activity[c.HIGH_LEVEL] and stats["held"]:
        sentences.append(_reserve_sentence(stats))
    if activity[c.INVOLVES] == "both" and stats["held"]:
        sentences.append(f"Service users and carers were both present at {stats['both']} of {stats['held']}.")
    sentences += [s for s in (_papers_sentence(stats, settings), _start_sentence(stats, settings)) if s]
    reason = purpose.row(0, named=True)[c.REASON]
    sentences.append(f"Purpose and intended outcomes: {reason[0].lower() + reason[1:]}.")
    payments = payment_table(frames, settings).filter(mine).sort(c.CLAIM_DATE, descending=True)
    review = review_cycle_state(frames).filter(mine).row(0, named=True)
    impact = (
        T.impact_log(frames)
        .filter(pl.col(c.ACTIVITY_ID) == activity[c.ACTIVITY_ID])
        .with_columns(
            pl.col(c.IMPACT_AREA)
            .replace_strict(codes.IMPACT_AREAS, default=pl.col(c.IMPACT_AREA))
            .alias(c.IMPACT_AREA_LABEL)
        )
        .sort(c.RECORDED_ON, c.IMPACT_REF, descending=True)
        .collect()
    )
    feedback = feedback_results(frames, by="activity").filter(mine)
    sentences += [
        s
        for s in (
            _payment_sentence(payments, settings),
            _review_sentence(review),
            _impact_sentence(impact),
            _feedback_sentence(feedback),
        )
        if s
    ]
    level = T.levels(frames).filter(pl.col(c.LEVEL_ID) == activity[c.LEVEL_ID]).collect().get_column(c.LEVEL_NAME)
    return ActivitySummary(
        activity_ref=activity_ref,
        activity_name=activity[c.ACTIVITY_NAME],
        level_name=level[0] if level.len() else None,
        high_level=bool(activity[c.HIGH_LEVEL]),
        involves=activity[c.INVOLVES],
        sentences=tuple(sentences),
        meetings=recent,
        breaches=meeting_breaches(frames, settings).filter(mine).sort(c.DATE, descending=True),
        payments=payments,
        impact=impact,
        feedback=feedback,
        review=review,
    )
