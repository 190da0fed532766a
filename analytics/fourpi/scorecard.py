"""The 4PI scorecard: every indicator of the five standards as numerator / denominator per period, with a
red / amber / green status from configurable thresholds and the change on the same period a year earlier.

Every indicator is a share where higher is better, so one rule gives its status: green at or above the green
cut-off, amber at or above the amber cut-off, red below, and ``no_data`` when nothing could be counted
(denominator 0). Items that cannot be judged (a start time not recorded, an answer not stated, a claim still
within the payment limit) are left out of the denominator and counted in LEFT_OUT, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import overload

import polars as pl

from analytics import columns as c
from analytics.fourpi import tables as T
from analytics.fourpi.impact import feedback_results
from analytics.fourpi.presence import meeting_table_lazy
from analytics.fourpi.process import (
    payment_table_lazy,
    purpose_grace_days,
    purpose_status_lazy,
    support_summary,
)
from analytics.loader import Frames
from analytics.periods import (
    PeriodKind,
    check_period,
    earliest,
    label_of,
    latest,
    parse_period,
    periods_between,
    previous_year_period,
    spans_by_period,
    with_period,
)
from models.settings import Settings, get_settings

BAD_THRESHOLD = "The {name} thresholds must be two shares with 0 <= amber <= green <= 1, not {value!r}."
UNKNOWN_INDICATOR = "There is no 4PI indicator called {key!r}."


@dataclass(frozen=True)
class ScorecardThresholds:
    """(green, amber) cut-offs per indicator, as shares.

    Green when value >= green, amber when value >= amber, else red.

    Defaults follow the standards' wording: "never" rules (one person alone) are green only at 100%; rules the
    standards call a minimum are green at 90%; aspirations (the ideal of three, impact logged) at 75%.
    Override any of them: ``ScorecardThresholds(papers_on_time=(0.8, 0.6))``.
    """

    felt_valued: tuple[float, float] = (0.8, 0.6)
    could_influence: tuple[float, float] = (0.7, 0.5)
    role_clarity: tuple[float, float] = (0.9, 0.7)
    purpose_recorded: tuple[float, float] = (0.9, 0.7)
    presence_minimum: tuple[float, float] = (0.9, 0.75)
    presence_ideal: tuple[float, float] = (0.75, 0.5)
    never_alone: tuple[float, float] = (1.0, 0.9)
    reserve: tuple[float, float] = (0.9, 0.75)
    both_present: tuple[float, float] = (0.8, 0.6)
    papers_on_time: tuple[float, float] = (0.9, 0.75)
    start_time: tuple[float, float] = (0.9, 0.75)
    payments_on_time: tuple[float, float] = (0.95, 0.85)
    role_descriptions: tuple[float, float] = (0.9, 0.75)
    support_offered: tuple[float, float] = (0.9, 0.75)
    training_offered: tuple[float, float] = (0.8, 0.6)
    impact_logged: tuple[float, float] = (0.75, 0.5)
    informed_of_outcomes: tuple[float, float] = (0.8, 0.6)
    review_step: tuple[float, float] = (0.75, 0.5)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            ok = isinstance(value, tuple) and len(value) == 2 and 0 <= value[1] <= value[0] <= 1
            if not ok:
                raise ValueError(BAD_THRESHOLD.format(name=f.name, value=value))

    def cut_offs(self, indicator: str) -> tuple[float, float]:
        if indicator not in {f.name for f in fields(self)}:
            raise ValueError(UNKNOWN_INDICATOR.format(key=indicator))
        low, high = getattr(self, indicator)
        return float(low), float(high)


# --- Indicator counts: one LazyFrame of PERIOD, NUMERATOR, DENOMINATOR, LEFT_OUT per indicator --------------

Counter = Callable[[Frames, PeriodKind, Settings], pl.LazyFrame]
_COUNTS = (c.PERIOD, c.NUMERATOR, c.DENOMINATOR, c.LEFT_OUT)


def _ratio(frame: pl.LazyFrame, ok: pl.Expr, judged: pl.Expr | None = None) -> pl.LazyFrame:
    """Per period: NUMERATOR = rows where ok, DENOMINATOR = rows that could be judged, LEFT_OUT = the rest."""
    if judged is None:
        return frame.group_by(c.PERIOD).agg(
            ok.fill_null(False).sum().cast(pl.Int64).alias(c.NUMERATOR),
            pl.len().cast(pl.Int64).alias(c.DENOMINATOR),
            pl.lit(0, dtype=pl.Int64).alias(c.LEFT_OUT),
        )
    return frame.group_by(c.PERIOD).agg(
        (ok & judged).fill_null(False).sum().cast(pl.Int64).alias(c.NUMERATOR),
        judged.sum().cast(pl.Int64).alias(c.DENOMINATOR),
        (~judged).sum().cast(pl.Int64).alias(c.LEFT_OUT),
    )


def _meetings(frames: Frames, kind: PeriodKind, settings: Settings) -> pl.LazyFrame:
    return with_period(meeting_table_lazy(frames, settings), c.DATE, kind)


def _meeting_rule(ok: pl.Expr, where: pl.Expr | None = None, judged: pl.Expr | None = None) -> Counter:
    def count(frames: Frames, kind: PeriodKind, settings: Settings) -> pl.LazyFrame:
        meetings = _meetings(frames, kind, settings)
        if where is not None:
            meetings = meetings.filter(where.fill_null(False))
        return _ratio(meetings, ok, judged)

    return count


def _active_activities(frames: Frames, kind: PeriodKind, settings: Settings) -> pl.LazyFrame:
    first = earliest(frames.activities.get_column(c.START_DATE))
    periods = periods_between(first, frames.as_of, kind)
    return spans_by_period(purpose_status_lazy(frames, settings), periods)


def _purpose(frames: Frames, kind: PeriodKind, settings: Settings) -> pl.LazyFrame:
    return _ratio(_active_activities(frames, kind, settings), pl.col(c.PURPOSE_OK))


def _active_involvements(frames: Frames, kind: PeriodKind) -> pl.LazyFrame:
    first = earliest(frames.involvements.get_column(c.START_DATE))
    return spans_by_period(T.involvements(frames), periods_between(first, frames.as_of, kind))


def _role_descriptions(frames: Frames, kind: PeriodKind, settings: Settings) -> pl.LazyFrame:
    return _ratio(_active_involvements(frames, kind), pl.col(c.HAS_ROLE_DESCRIPTION))


def _role_clarity(frames: Frames, kind: PeriodKind, settings: Settings) -> pl.LazyFrame:
    per_activity = (
        _active_involvements(frames, kind)
        .group_by(c.PERIOD, c.ACTIVITY_ID)
        .agg(pl.col(c.HAS_ROLE_DESCRIPTION).all().alias(c.ALL_DESCRIBED))
    )
    return _ratio(per_activity, pl.col(c.ALL_DESCRIBED))


def _support(kind_of_support: str) -> Counter:
    def count(frames: Frames, kind: PeriodKind, settings: Settings) -> pl.LazyFrame:
        return (
            support_summary(frames, period=kind)
            .lazy()
            .filter(pl.col(c.SUPPORT_KIND) == kind_of_support)
            .select(
                c.PERIOD,
                pl.col(c.OFFERED).alias(c.NUMERATOR),
                pl.col(c.PEOPLE).cast(pl.Int64).alias(c.DENOMINATOR),
                pl.lit(0, dtype=pl.Int64).alias(c.LEFT_OUT),
            )
        )

    return count


def _payments(frames: Frames, kind: PeriodKind, settings: Settings) -> pl.LazyFrame:
    status = pl.col(c.PAYMENT_STATUS)
    return _ratio(
        with_period(payment_table_lazy(frames, settings), c.CLAIM_DATE, kind),
        status == c.PAYMENT_ON_TIME,
        judged=status != c.PAYMENT_PENDING,
    )


def _logged_in_period(table: str, date_column: str) -> Counter:
    """Share of activities running in the period with a record (impact, review step) dated in it."""

    def count(frames: Frames, kind: PeriodKind, settings: Settings) -> pl.LazyFrame:
        records = (
            with_period(getattr(frames, table).lazy(), date_column, kind)
            .select(c.ACTIVITY_ID, c.PERIOD)
            .unique()
            .with_columns(pl.lit(True).alias("recorded"))
        )
        active = _active_activities(frames, kind, settings).join(
            records, on=[c.ACTIVITY_ID, c.PERIOD], how="left"
        )
        return _ratio(active, pl.col("recorded").fill_null(False))

    return count


def _feedback(question: str) -> Counter:
    def count(frames: Frames, kind: PeriodKind, settings: Settings) -> pl.LazyFrame:
        return (
            feedback_results(frames, by="organisation", period=kind)
            .lazy()
            .filter(pl.col(c.QUESTION) == question)
            .select(
                c.PERIOD,
                pl.col(c.AGREE).cast(pl.Int64).alias(c.NUMERATOR),
                pl.col(c.STATED).cast(pl.Int64).alias(c.DENOMINATOR),
                (pl.col(c.NOT_STATED) + pl.col(c.NOT_KNOWN)).cast(pl.Int64).alias(c.LEFT_OUT),
            )
        )

    return count


@dataclass(frozen=True)
class Indicator:
    key: str
    standard: str
    label: str
    explanation: str  # may use {minimum}, {ideal}, {papers_days}, {earliest}, {payment_days}, {grace}
    detail_key: str
    count: Counter


_N = pl.col(c.SU_CARERS)
INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "felt_valued",
        "Principles",
        "Felt valued and listened to",
        "Of the people who answered the end-of-involvement questionnaire, how many said they felt valued "
        "and listened to.",
        "feedback",
        _feedback(c.FELT_VALUED),
    ),
    Indicator(
        "could_influence",
        "Principles",
        "Could influence what happened",
        "Of the people who answered the questionnaire, how many said they could influence what happened.",
        "feedback",
        _feedback(c.COULD_INFLUENCE),
    ),
    Indicator(
        "role_clarity",
        "Principles",
        "Activities clear about everyone's role",
        "How many activities gave every person involved a written description of their role.",
        "role_descriptions",
        _role_clarity,
    ),
    Indicator(
        "purpose_recorded",
        "Purpose",
        "Purpose and outcomes written down at the start",
        "How many activities wrote down why they involve people and what they hope will change, within "
        "{grace} days of starting.",
        "purpose",
        _purpose,
    ),
    Indicator(
        "presence_minimum",
        "Presence",
        "Meetings with at least {minimum} service users or carers",
        "How many meetings had at least {minimum} service users or carers, the minimum the standards ask "
        "for.",
        "meetings",
        _meeting_rule(pl.col(c.MEETS_MINIMUM)),
    ),
    Indicator(
        "presence_ideal",
        "Presence",
        "Meetings with {ideal} or more service users or carers",
        "How many meetings had {ideal} or more service users or carers, the number the standards call ideal.",
        "meetings",
        _meeting_rule(pl.col(c.MEETS_IDEAL)),
    ),
    Indicator(
        "never_alone",
        "Presence",
        "Meetings where nobody was left alone",
        "How many meetings did not leave one service user or carer on their own to speak for everyone.",
        "breaches",
        _meeting_rule(_N != 1),
    ),
    Indicator(
        "reserve",
        "Presence",
        "High-level meetings with a reserve",
        "How many high-level meetings, such as the board, had a reserve service user or carer ready to "
        "step in.",
        "breaches",
        _meeting_rule(pl.col(c.HAS_RESERVE), where=pl.col(c.HIGH_LEVEL)),
    ),
    Indicator(
        "both_present",
        "Presence",
        "Service users and carers both present",
        "Where an activity involves both service users and carers, how many meetings had both there.",
        "breaches",
        _meeting_rule(pl.col(c.BOTH_PRESENT), where=pl.col(c.BOTH_NEEDED)),
    ),
    Indicator(
        "papers_on_time",
        "Process",
        "Papers sent at least {papers_days} days before",
        "How many meetings sent out their papers at least {papers_days} days before, so people had time "
        "to read them.",
        "meetings",
        _meeting_rule(pl.col(c.PAPERS_ON_TIME), judged=pl.col(c.PAPERS_ON_TIME).is_not_null()),
    ),
    Indicator(
        "start_time",
        "Process",
        "Meetings starting at {earliest} or later",
        "How many meetings started at {earliest} or later, so people who find early starts hard can come.",
        "meetings",
        _meeting_rule(pl.col(c.STARTS_OK), judged=pl.col(c.STARTS_OK).is_not_null()),
    ),
    Indicator(
        "payments_on_time",
        "Process",
        "Fees and expenses paid within {payment_days} days",
        "How many fees and expenses claims were paid within {payment_days} days of the claim.",
        "payments",
        _payments,
    ),
    Indicator(
        "role_descriptions",
        "Process",
        "Roles with a role description",
        "How many people's involvement roles came with a written role description.",
        "role_descriptions",
        _role_descriptions,
    ),
    Indicator(
        "support_offered",
        "Process",
        "People offered support or training",
        "How many people involved had been offered support (admin help, supervision, emotional or peer "
        "support) or training.",
        "support",
        _support("any"),
    ),
    Indicator(
        "training_offered",
        "Process",
        "People offered training",
        "How many people involved had been offered training.",
        "support",
        _support("training"),
    ),
    Indicator(
        "impact_logged",
        "Impact",
        "Activities that logged a change",
        "How many activities wrote down a difference that involvement made during this period.",
        "impact",
        _logged_in_period("impact_log", c.RECORDED_ON),
    ),
    Indicator(
        "informed_of_outcomes",
        "Impact",
        "People told what changed",
        "Of the people who answered the questionnaire, how many said they were told what changed as a "
        "result.",
        "feedback",
        _feedback(c.INFORMED_OF_OUTCOMES),
    ),
    Indicator(
        "review_step",
        "Impact",
        "Activities that took a review step",
        "How many activities took a step of their review cycle (act, evaluate, reflect, learn) during "
        "this period.",
        "review",
        _logged_in_period("review_steps", c.COMPLETED_ON),
    ),
)
INDICATOR_KEYS: tuple[str, ...] = tuple(i.key for i in INDICATORS)


def _words(settings: Settings) -> dict[str, object]:
    return {
        "minimum": settings.meeting_minimum,
        "ideal": settings.meeting_ideal,
        "papers_days": settings.papers_days_before,
        "earliest": settings.earliest_start.strftime("%H:%M"),
        "payment_days": settings.payment_days,
        "grace": purpose_grace_days(settings),
    }


def indicator_catalogue(
    thresholds: ScorecardThresholds | None = None, settings: Settings | None = None
) -> pl.DataFrame:
    """The indicators in scorecard order: standard, indicator, label, explanation, detail key and cut-offs."""
    thresholds = thresholds or ScorecardThresholds()
    words = _words(settings or get_settings())
    return pl.DataFrame(
        {
            c.STANDARD: [i.standard for i in INDICATORS],
            c.INDICATOR: list(INDICATOR_KEYS),
            c.INDICATOR_LABEL: [i.label.format(**words) for i in INDICATORS],
            c.EXPLANATION: [i.explanation.format(**words) for i in INDICATORS],
            c.DETAIL_KEY: [i.detail_key for i in INDICATORS],
            c.GREEN_FROM: [thresholds.cut_offs(i.key)[0] for i in INDICATORS],
            c.AMBER_FROM: [thresholds.cut_offs(i.key)[1] for i in INDICATORS],
            "order": list(range(len(INDICATORS))),
        }
    )


def _value() -> pl.Expr:
    return pl.when(pl.col(c.DENOMINATOR) > 0).then(pl.col(c.NUMERATOR) / pl.col(c.DENOMINATOR))


def scorecard_history(
    frames: Frames, *, period: PeriodKind = "year", settings: Settings | None = None
) -> pl.DataFrame:
    """Every indicator in every period that has something to count: STANDARD, INDICATOR, PERIOD, NUMERATOR,
    DENOMINATOR, LEFT_OUT, VALUE (numerator / denominator; null when the denominator is 0)."""
    settings = settings or get_settings()
    kind = check_period(period)
    parts = [
        i.count(frames, kind, settings).select(
            pl.lit(i.standard).alias(c.STANDARD),
            pl.lit(i.key).alias(c.INDICATOR),
            *[pl.col(name).cast(pl.String if name == c.PERIOD else pl.Int64) for name in _COUNTS],
        )
        for i in INDICATORS
    ]
    history = pl.concat(parts).filter(pl.col(c.PERIOD).is_not_null()).with_columns(_value().alias(c.VALUE))
    order = pl.LazyFrame({c.INDICATOR: list(INDICATOR_KEYS), "order": list(range(len(INDICATORS)))})
    return history.join(order, on=c.INDICATOR).sort("order", c.PERIOD).drop("order").collect()


def latest_period(frames: Frames, kind: PeriodKind = "year") -> str:
    """The period of the latest meeting held on or before ``as_of`` (the period of ``as_of`` when none)."""
    held = latest(frames.meetings.filter(pl.col(c.DATE) <= frames.as_of).get_column(c.DATE))
    return label_of(held or frames.as_of, kind)


def scorecard_periods(frames: Frames, kind: PeriodKind = "year") -> list[str]:
    """Period labels from the earliest record to ``as_of``, newest first (for a period picker)."""
    starts = [earliest(frames.activities.get_column(c.START_DATE)), earliest(frames.meetings.get_column(c.DATE))]
    first = min((d for d in starts if d is not None), default=frames.as_of)
    labels = periods_between(first, frames.as_of, kind).collect().get_column(c.PERIOD).to_list()
    return labels[::-1] or [label_of(frames.as_of, kind)]


def _percent(expr: pl.Expr) -> pl.Expr:
    return pl.format("{}%", (expr * 100).round(0).cast(pl.Int64))


RAG_HIDDEN = "hidden"  # a count behind the indicator is hidden from this reader (small numbers)
PREVIOUS_HIDDEN = "previous_hidden"


def _trend_words(period: str, previous: str) -> pl.Expr:
    value, before, change = pl.col(c.VALUE), pl.col(c.PREVIOUS_VALUE), pl.col(c.CHANGE_PP)
    points = change.abs().round(0).cast(pl.Int64)
    unit = pl.when(points == 1).then(pl.lit("point")).otherwise(pl.lit("points"))
    return (
        pl.when(pl.col(c.RAG) == RAG_HIDDEN)
        .then(pl.lit(f"Hidden in {period}: too few people to show"))
        .when(value.is_null())
        .then(pl.lit(f"Nothing to count in {period}"))
        .when(pl.col(PREVIOUS_HIDDEN))
        .then(pl.lit(f"Hidden in {previous}: too few people to show"))
        .when(before.is_null())
        .then(pl.lit(f"No figure for {previous} to compare with"))
        .when(points == 0)
        .then(pl.format(f"Same as {previous} ({{}})", _percent(before)))
        .when(change > 0)
        .then(pl.format(f"Up {{}} {{}} on {previous} (was {{}})", points, unit, _percent(before)))
        .otherwise(pl.format(f"Down {{}} {{}} on {previous} (was {{}})", points, unit, _percent(before)))
    )


@overload
def judge_scorecard(card: pl.DataFrame, period: str, previous: str) -> pl.DataFrame: ...
@overload
def judge_scorecard(card: pl.LazyFrame, period: str, previous: str) -> pl.LazyFrame: ...
def judge_scorecard(
    card: pl.DataFrame | pl.LazyFrame, period: str, previous: str
) -> pl.DataFrame | pl.LazyFrame:
    """Value, status (rag), change and trend words of scorecard rows from their counts: the one derivation,
    called on exact counts by :func:`scorecard` and on published counts by the dashboard for restricted
    readers. A null numerator or denominator is a hidden count: the status is ``hidden`` and the trend says so;
    ``previous_hidden`` (optional, True where last year's figure is hidden) does the same for the comparison.
    Needs NUMERATOR, DENOMINATOR, PREVIOUS_VALUE, GREEN_FROM and AMBER_FROM."""
    value = pl.col(c.VALUE)
    hidden = pl.col(c.NUMERATOR).is_null() | pl.col(c.DENOMINATOR).is_null()
    names = card.collect_schema().names()
    return (
        card.with_columns(
            _value().alias(c.VALUE),
            (pl.col(PREVIOUS_HIDDEN).fill_null(False) if PREVIOUS_HIDDEN in names else pl.lit(False)).alias(
                PREVIOUS_HIDDEN
            ),
        )
        .with_columns(
            pl.when(hidden)
            .then(pl.lit(RAG_HIDDEN))
            .when(value.is_null())
            .then(pl.lit(c.RAG_NO_DATA))
            .when(value >= pl.col(c.GREEN_FROM) - 1e-12)
            .then(pl.lit(c.RAG_GREEN))
            .when(value >= pl.col(c.AMBER_FROM) - 1e-12)
            .then(pl.lit(c.RAG_AMBER))
            .otherwise(pl.lit(c.RAG_RED))
            .alias(c.RAG),
            ((value - pl.col(c.PREVIOUS_VALUE)) * 100).alias(c.CHANGE_PP),
        )
        .with_columns(_trend_words(period, previous).alias(c.TREND))
        .drop(PREVIOUS_HIDDEN)
    )


def scorecard(
    frames: Frames,
    period: str | None = None,
    thresholds: ScorecardThresholds | None = None,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """The 4PI scorecard for one period ('2025' or '2025-Q3'; None: the year of the latest meeting held).

    One row per indicator with SCORECARD_COLUMNS: standard, indicator, label, plain-English explanation,
    value, numerator, denominator, left out, rag (green / amber / red / no_data), the cut-offs, the value a
    year earlier, the change in percentage points, the trend in words, and the key of the detail table (see
    ``scorecard_detail``).
    """
    settings = settings or get_settings()
    label = period or latest_period(frames, "year")
    kind = parse_period(label)[0]
    previous = previous_year_period(label)
    history = scorecard_history(frames, period=kind, settings=settings).lazy()
    now = history.filter(pl.col(c.PERIOD) == label).drop(c.STANDARD, c.PERIOD)
    before = history.filter(pl.col(c.PERIOD) == previous).select(
        c.INDICATOR, pl.col(c.VALUE).alias(c.PREVIOUS_VALUE)
    )
    frame = (
        indicator_catalogue(thresholds, settings)
        .lazy()
        .join(now, on=c.INDICATOR, how="left")
        .join(before, on=c.INDICATOR, how="left")
        .with_columns(
            pl.lit(label).alias(c.PERIOD),
            pl.lit(previous).alias(c.PREVIOUS_PERIOD),
            *[pl.col(n).fill_null(0) for n in (c.NUMERATOR, c.DENOMINATOR, c.LEFT_OUT)],
        )
    )
    return judge_scorecard(frame, label, previous).sort("order").select(c.SCORECARD_COLUMNS).collect()


RAG_ORDER = {c.RAG_RED: 0, c.RAG_AMBER: 1, c.RAG_GREEN: 2, c.RAG_NO_DATA: 3}


def fix_first(card: pl.DataFrame, n: int = 3) -> pl.DataFrame:
    """What to fix first: red indicators, then amber, each furthest below its green cut-off first (ties:
    scorecard order). At most ``n`` rows; none when everything is green or has no data."""
    order = pl.DataFrame({c.INDICATOR: list(INDICATOR_KEYS), "order": list(range(len(INDICATOR_KEYS)))})
    return (
        card.join(order, on=c.INDICATOR, how="left")
        .filter(pl.col(c.RAG).is_in((c.RAG_RED, c.RAG_AMBER)))
        .with_columns(
            (pl.col(c.GREEN_FROM) - pl.col(c.VALUE)).alias("gap"),
            pl.col(c.RAG).replace_strict(RAG_ORDER).alias("rag_order"),
        )
        .sort(["rag_order", "gap", "order"], descending=[False, True, False])
        .head(n)
        .drop("order", "gap", "rag_order")
    )


def scorecard_headline(card: pl.DataFrame) -> str:
    """One sentence summing up a scorecard: how many indicators are green, amber and red; the worst one."""
    if card.height == 0 or card.filter(pl.col(c.RAG) != c.RAG_NO_DATA).height == 0:
        return "There is nothing to count yet for the 4PI indicators in this period."
    counts = {rag: card.filter(pl.col(c.RAG) == rag).height for rag in c.RAGS}
    judged = card.height - counts[c.RAG_NO_DATA]
    sentence = (
        f"{counts[c.RAG_GREEN]} of {judged} indicators meet the standard, {counts[c.RAG_AMBER]} are close "
        f"and {counts[c.RAG_RED]} fall short"
    )
    worst = fix_first(card, 1)
    if worst.height == 0:
        return sentence + "."
    row = worst.row(0, named=True)
    return (
        f"{sentence}; furthest behind: {row[c.INDICATOR_LABEL].lower()}, "
        f"{round(row[c.VALUE] * 100)}% ({row[c.NUMERATOR]} of {row[c.DENOMINATOR]})."
    )


def scorecard_period_choices(frames: Frames, kind: PeriodKind = "year") -> tuple[list[str], str]:
    """The periods a scorecard can be shown for (newest first), and the one to show first: the period of
    the latest meeting held."""
    periods = scorecard_periods(frames, kind)
    latest = latest_period(frames, kind)
    return periods, latest if latest in periods else periods[0]
