"""4PI Impact: what changed (impact log per activity and area), how people felt (end-of-involvement feedback),
and where each activity is in its Act - Evaluate - Reflect - Learn review cycle."""

from __future__ import annotations

from typing import Any, Literal

import polars as pl

from analytics import columns as c
from analytics.fourpi import tables as T
from analytics.loader import Frames
from analytics.periods import PeriodKind, with_period
from data import codes

REVIEW_STAGE_DAYS = 91  # one stage a quarter: a full cycle a year
REVIEW_ORDER: tuple[str, ...] = tuple(codes.REVIEW_STAGES)  # act, evaluate, reflect, learn

QUESTION_LABELS = {
    c.FELT_VALUED: "I felt valued and listened to",
    c.COULD_INFLUENCE: "I could influence what happened",
    c.INFORMED_OF_OUTCOMES: "I was told what changed as a result",
}
AGREE_ANSWERS = ("strongly_agree", "agree")
DISAGREE_ANSWERS = ("disagree", "strongly_disagree")
BAD_FEEDBACK_BY = "Feedback results are by 'activity' or 'organisation', not {by!r}."


def _activity_names(frames: Frames) -> pl.LazyFrame:
    return T.activities(frames).select(c.ACTIVITY_ID, c.ACTIVITY_REF, c.ACTIVITY_NAME)


def impact_by_area(frames: Frames) -> pl.DataFrame:
    """Impact log entries per activity and 4PI impact area (every area listed, zero when nothing was
    logged)."""
    areas = pl.LazyFrame(
        {c.IMPACT_AREA: list(codes.IMPACT_AREAS), c.IMPACT_AREA_LABEL: list(codes.IMPACT_AREAS.values())}
    )
    counts = T.impact_log(frames).group_by(c.ACTIVITY_ID, c.IMPACT_AREA).agg(pl.len().alias(c.ENTRIES))
    return (
        _activity_names(frames)
        .join(areas, how="cross")
        .join(counts, on=[c.ACTIVITY_ID, c.IMPACT_AREA], how="left")
        .with_columns(pl.col(c.ENTRIES).fill_null(0).cast(pl.Int64))
        .sort(c.ACTIVITY_REF, c.IMPACT_AREA)
        .collect()
    )


def impact_latest(frames: Frames) -> pl.DataFrame:
    """Per activity: number of impact log entries, areas covered, and the latest entry (date, area, what
    changed,
    evidence). Activities with nothing logged have 0 entries and nulls."""
    log = T.impact_log(frames).sort(c.RECORDED_ON, c.IMPACT_REF)
    labels = pl.col(c.IMPACT_AREA).replace_strict(codes.IMPACT_AREAS, default=pl.col(c.IMPACT_AREA))
    per_activity = log.group_by(c.ACTIVITY_ID).agg(
        pl.len().alias(c.ENTRIES),
        pl.col(c.IMPACT_AREA).n_unique().alias("areas_covered"),
        pl.col(c.RECORDED_ON).last().alias(c.LATEST_ON),
        labels.last().alias(c.IMPACT_AREA_LABEL),
        pl.col(c.WHAT_CHANGED).last(),
        pl.col(c.EVIDENCE).last(),
    )
    return (
        _activity_names(frames)
        .join(per_activity, on=c.ACTIVITY_ID, how="left")
        .with_columns(
            pl.col(c.ENTRIES).fill_null(0).cast(pl.Int64), pl.col("areas_covered").fill_null(0).cast(pl.Int64)
        )
        .sort(c.ACTIVITY_REF)
        .collect()
    )


def feedback_answers(frames: Frames) -> pl.LazyFrame:
    """Feedback in long form: one row per questionnaire and question, with the answer code."""
    return (
        T.feedback(frames)
        .unpivot(
            on=list(c.FEEDBACK_QUESTIONS),
            index=[c.FEEDBACK_REF, c.ACTIVITY_ID, c.SUBMITTED_ON],
            variable_name=c.QUESTION,
            value_name=c.ANSWER,
        )
        .with_columns(pl.col(c.ANSWER).fill_null(codes.NOT_KNOWN))
    )


def feedback_aggregations() -> list[pl.Expr]:
    answer = pl.col(c.ANSWER)
    agree = answer.is_in(AGREE_ANSWERS).sum()
    stated = (~answer.is_in(tuple(codes.UNKNOWN_VALUES))).sum()
    return [
        pl.len().alias(c.ANSWERS),
        stated.alias(c.STATED),
        agree.alias(c.AGREE),
        (answer == "neutral").sum().alias(c.NEUTRAL),
        answer.is_in(DISAGREE_ANSWERS).sum().alias(c.DISAGREE),
        (answer == codes.NOT_STATED).sum().alias(c.NOT_STATED),
        (answer == codes.NOT_KNOWN).sum().alias(c.NOT_KNOWN),
        pl.when(stated > 0).then(agree / stated).alias(c.SHARE_AGREE),
    ]


def feedback_results(
    frames: Frames,
    *,
    by: Literal["activity", "organisation"] = "activity",
    period: PeriodKind | None = None,
) -> pl.DataFrame:
    """Per question (and activity, and period of the submission date): questionnaires returned, answers
    stated,
    agree or strongly agree, neutral, disagree, not stated, not known, and SHARE_AGREE = agree / stated."""
    if by not in ("activity", "organisation"):
        raise ValueError(BAD_FEEDBACK_BY.format(by=by))
    answers = feedback_answers(frames)
    keys: list[str] = []
    if by == "activity":
        answers = answers.join(_activity_names(frames), on=c.ACTIVITY_ID, how="left")
        keys += [c.ACTIVITY_REF, c.ACTIVITY_NAME]
    if period:
        answers = with_period(answers, c.SUBMITTED_ON, period)
        keys += [c.PERIOD, c.PERIOD_START]
    keys.append(c.QUESTION)
    return (
        answers.group_by(keys)
        .agg(feedback_aggregations())
        .with_columns(pl.col(c.QUESTION).replace_strict(QUESTION_LABELS).alias(c.QUESTION_LABEL))
        .sort(keys)
        .collect()
    )


def review_cycle_state(frames: Frames, *, stage_days: int = REVIEW_STAGE_DAYS) -> pl.DataFrame:
    """Per activity: the latest review cycle, the stages done in it (in words and as a count), the last
    step's date, the next stage and when it is due (the last step, or the activity's start, plus
    ``stage_days``), and whether it is overdue on ``as_of``.

    A finished cycle's next stage is 'act' of the next cycle; an activity that has ended with its cycle
    finished has no next stage.
    """
    steps = T.review_steps(frames)
    latest = steps.group_by(c.ACTIVITY_ID).agg(pl.col(c.CYCLE).max().alias(c.LATEST_CYCLE))
    done = (
        steps.join(latest, on=c.ACTIVITY_ID)
        .filter(pl.col(c.CYCLE) == pl.col(c.LATEST_CYCLE))
        .group_by(c.ACTIVITY_ID, c.LATEST_CYCLE)
        .agg(
            *[(pl.col(c.REVIEW_STAGE) == stage).any().alias(f"done_{stage}") for stage in REVIEW_ORDER],
            pl.col(c.COMPLETED_ON).max().alias(c.LAST_COMPLETED_ON),
        )
    )
    flags = [pl.col(f"done_{stage}").fill_null(False) for stage in REVIEW_ORDER]
    complete = pl.all_horizontal(flags)
    next_stage: Any = pl.when(~flags[0]).then(pl.lit(REVIEW_ORDER[0]))  # a chain of when/then, then an Expr
    for stage, flag in zip(REVIEW_ORDER[1:], flags[1:], strict=True):
        next_stage = next_stage.when(~flag).then(pl.lit(stage))
    ended = pl.col(c.END_DATE).is_not_null() & (pl.col(c.END_DATE) < frames.as_of)
    next_stage = next_stage.when(ended).then(pl.lit(None, dtype=pl.String)).otherwise(pl.lit(REVIEW_ORDER[0]))
    stage_labels = pl.concat_list(
        [
            pl.when(flag).then(pl.lit(codes.REVIEW_STAGES[stage]))
            for stage, flag in zip(REVIEW_ORDER, flags, strict=True)
        ]
    ).list.drop_nulls()
    due = pl.coalesce(pl.col(c.LAST_COMPLETED_ON), pl.col(c.START_DATE)).dt.offset_by(f"{stage_days}d")
    return (
        T.activities(frames)
        .select(c.ACTIVITY_ID, c.ACTIVITY_REF, c.ACTIVITY_NAME, c.START_DATE, c.END_DATE)
        .join(done, on=c.ACTIVITY_ID, how="left")
        .with_columns(
            stage_labels.list.join(", ").alias(c.STAGES_DONE),
            pl.sum_horizontal(flags).cast(pl.Int64).alias(c.STAGES_DONE_N),
            next_stage.alias(c.NEXT_STAGE),
            pl.when(complete & pl.col(c.LATEST_CYCLE).is_not_null())
            .then(pl.col(c.LATEST_CYCLE) + 1)
            .otherwise(pl.col(c.LATEST_CYCLE).fill_null(1))
            .alias("next_cycle"),
        )
        .with_columns(
            pl.when(pl.col(c.NEXT_STAGE).is_not_null()).then(due).alias(c.NEXT_DUE),
        )
        .with_columns((pl.col(c.NEXT_DUE) < frames.as_of).fill_null(False).alias(c.OVERDUE))
        .select(
            c.ACTIVITY_REF,
            c.ACTIVITY_NAME,
            c.LATEST_CYCLE,
            c.STAGES_DONE,
            c.STAGES_DONE_N,
            c.LAST_COMPLETED_ON,
            c.NEXT_STAGE,
            "next_cycle",
            c.NEXT_DUE,
            c.OVERDUE,
        )
        .sort(c.ACTIVITY_REF)
        .collect()
    )
