"""4PI Purpose and Process: purpose and intended outcomes recorded at the start, fees and expenses paid on
time,
role descriptions, and support and training offered.

Papers and start times are per-meeting facts and live in :func:`analytics.fourpi.presence.meeting_table`.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from analytics import columns as c
from analytics.fourpi import tables as T
from analytics.fourpi.presence import activities_with_levels
from analytics.loader import Frames
from analytics.periods import PeriodKind, earliest, periods_between, spans_by_period, with_period
from data import codes
from models.settings import Settings, get_settings

BAD_PAYMENT_BY = "Payment summaries are by 'activity', 'kind' or 'organisation', not {by!r}."

SUPPORT_ANY = "any"
SUPPORT_ANY_LABEL = "Any support or training"


def purpose_grace_days(settings: Settings) -> int:
    """Days after an activity starts within which its purpose still counts as 'recorded at the start'
    (the setting PRESENCE_PURPOSE_GRACE_DAYS, 30 by default)."""
    return settings.purpose_grace_days


def _filled(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().fill_null("").str.len_chars() > 0


def purpose_status_lazy(frames: Frames, settings: Settings | None = None) -> pl.LazyFrame:
    settings = settings or get_settings()
    grace = purpose_grace_days(settings)
    days_after = (pl.col(c.PURPOSE_RECORDED_ON) - pl.col(c.START_DATE)).dt.total_days()
    has_purpose, has_outcomes = pl.col(c.HAS_PURPOSE), pl.col(c.HAS_OUTCOMES)
    return (
        activities_with_levels(frames)
        .with_columns(
            _filled(c.PURPOSE).alias(c.HAS_PURPOSE),
            _filled(c.INTENDED_OUTCOMES).alias(c.HAS_OUTCOMES),
            (days_after <= grace).fill_null(False).alias(c.RECORDED_AT_START),
            days_after.alias("recorded_days_after_start"),
        )
        .with_columns((has_purpose & has_outcomes & pl.col(c.RECORDED_AT_START)).alias(c.PURPOSE_OK))
        .with_columns(
            pl.when(~has_purpose & ~has_outcomes)
            .then(pl.lit("No purpose or intended outcomes recorded"))
            .when(~has_purpose)
            .then(pl.lit("No purpose recorded"))
            .when(~has_outcomes)
            .then(pl.lit("No intended outcomes recorded"))
            .when(pl.col(c.PURPOSE_RECORDED_ON).is_null())
            .then(pl.lit("The date they were recorded is not known"))
            .when(~pl.col(c.RECORDED_AT_START))
            .then(
                pl.format(
                    "Recorded {} days after the start (more than {})",
                    pl.col("recorded_days_after_start"),
                    pl.lit(grace),
                )
            )
            .otherwise(pl.lit("Recorded at the start"))
            .alias(c.REASON)
        )
        .select(
            c.ACTIVITY_ID,
            c.ACTIVITY_REF,
            c.ACTIVITY_NAME,
            c.LEVEL_RANK,
            c.LEVEL_NAME,
            c.START_DATE,
            c.END_DATE,
            c.PURPOSE_RECORDED_ON,
            c.HAS_PURPOSE,
            c.HAS_OUTCOMES,
            c.RECORDED_AT_START,
            c.PURPOSE_OK,
            c.REASON,
        )
    )


def purpose_status(frames: Frames, settings: Settings | None = None) -> pl.DataFrame:
    """Per activity: purpose and intended outcomes recorded, and recorded at the start (on or before the start
    date plus the grace days); REASON says in words what is missing."""
    return purpose_status_lazy(frames, settings).sort(c.ACTIVITY_REF).collect()


def purpose_missing(frames: Frames, settings: Settings | None = None) -> pl.DataFrame:
    """The activities whose purpose and intended outcomes were not recorded at the start, with the reason."""
    return purpose_status_lazy(frames, settings).filter(~pl.col(c.PURPOSE_OK)).sort(c.ACTIVITY_REF).collect()


# --- Fees and expenses --------------------------------------------------------------------------------------


def payment_table_lazy(frames: Frames, settings: Settings | None = None) -> pl.LazyFrame:
    settings = settings or get_settings()
    limit = settings.payment_days
    paid = pl.col(c.PAID_DATE).is_not_null()
    days = pl.col(c.DAYS_TO_PAY)
    return (
        T.payments(frames)
        .join(
            T.activities(frames).select(c.ACTIVITY_ID, c.ACTIVITY_REF, c.ACTIVITY_NAME),
            on=c.ACTIVITY_ID,
            how="left",
        )
        .join(T.people(frames).select(c.PERSON_ID, c.PERSON_REF), on=c.PERSON_ID, how="left")
        .with_columns(
            (pl.coalesce(pl.col(c.PAID_DATE), pl.lit(frames.as_of)) - pl.col(c.CLAIM_DATE))
            .dt.total_days()
            .alias(c.DAYS_TO_PAY)
        )
        .with_columns(
            pl.when(paid & (days <= limit))
            .then(pl.lit(c.PAYMENT_ON_TIME))
            .when(paid)
            .then(pl.lit(c.PAYMENT_LATE))
            .when(days > limit)
            .then(pl.lit(c.PAYMENT_OVERDUE))
            .otherwise(pl.lit(c.PAYMENT_PENDING))
            .alias(c.PAYMENT_STATUS)
        )
    )


def payment_table(frames: Frames, settings: Settings | None = None) -> pl.DataFrame:
    """Per claim: days to pay (or days waiting so far) and status on_time, late, overdue (unpaid past the
    limit,
    which counts as late) or pending (unpaid, still within the limit, not late)."""
    return payment_table_lazy(frames, settings).sort(c.CLAIM_DATE, c.PAYMENT_REF).collect()


def payment_aggregations() -> list[pl.Expr]:
    status = pl.col(c.PAYMENT_STATUS)
    on_time = (status == c.PAYMENT_ON_TIME).sum()
    due = status.is_in((c.PAYMENT_ON_TIME, c.PAYMENT_LATE, c.PAYMENT_OVERDUE)).sum()
    return [
        pl.len().alias("claims"),
        on_time.alias(c.PAYMENT_ON_TIME),
        (status == c.PAYMENT_LATE).sum().alias(c.PAYMENT_LATE),
        (status == c.PAYMENT_OVERDUE).sum().alias(c.PAYMENT_OVERDUE),
        (status == c.PAYMENT_PENDING).sum().alias(c.PAYMENT_PENDING),
        pl.when(due > 0).then(on_time / due).alias("share_on_time"),
        pl.col(c.DAYS_TO_PAY).filter(pl.col(c.PAID_DATE).is_not_null()).mean().alias("average_days_to_pay"),
        pl.col(c.AMOUNT).sum().alias(c.AMOUNT),
    ]


def payment_summary(
    frames: Frames,
    *,
    by: Literal["activity", "kind", "organisation"] = "organisation",
    period: PeriodKind | None = None,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """Claims on time, late, overdue and pending, share paid on time (pending claims left out), average
    days to pay; per activity, payment kind or organisation, and per period of the claim date."""
    groupings = {"activity": [c.ACTIVITY_REF, c.ACTIVITY_NAME], "kind": [c.PAYMENT_KIND], "organisation": []}
    keys = groupings.get(by)
    if keys is None:
        raise ValueError(BAD_PAYMENT_BY.format(by=by))
    table = payment_table_lazy(frames, settings)
    if period:
        table = with_period(table, c.CLAIM_DATE, period)
        keys = keys + [c.PERIOD, c.PERIOD_START]
    if not keys:
        return table.select(payment_aggregations()).collect()
    return table.group_by(keys).agg(payment_aggregations()).sort(keys).collect()


# --- Role descriptions and support -------------------------------------------------------------------------


def role_descriptions(frames: Frames) -> pl.DataFrame:
    """Per activity: involvements, how many have a role description, and whether every one has."""
    return (
        T.involvements(frames)
        .group_by(c.ACTIVITY_ID)
        .agg(pl.len().alias(c.INVOLVEMENTS), pl.col(c.HAS_ROLE_DESCRIPTION).sum().alias(c.WITH_DESCRIPTION))
        .with_columns((pl.col(c.WITH_DESCRIPTION) == pl.col(c.INVOLVEMENTS)).alias(c.ALL_DESCRIBED))
        .join(
            activities_with_levels(frames).select(
                c.ACTIVITY_ID, c.ACTIVITY_REF, c.ACTIVITY_NAME, c.LEVEL_NAME
            ),
            on=c.ACTIVITY_ID,
            how="left",
        )
        .select(
            c.ACTIVITY_REF, c.ACTIVITY_NAME, c.LEVEL_NAME, c.INVOLVEMENTS, c.WITH_DESCRIPTION, c.ALL_DESCRIBED
        )
        .sort(c.ACTIVITY_REF)
        .collect()
    )


def involved_people_by_period(frames: Frames, period: PeriodKind) -> pl.LazyFrame:
    """Distinct people with an involvement overlapping each period up to ``as_of``.

    Columns PERIOD, PERIOD_START, PERIOD_END and PERSON_ID.
    """
    first = earliest(frames.involvements.get_column(c.START_DATE))
    periods = periods_between(first, frames.as_of, period)
    return (
        spans_by_period(T.involvements(frames), periods)
        .select(c.PERIOD, c.PERIOD_START, c.PERIOD_END, c.PERSON_ID)
        .unique()
    )


def _support_kinds() -> pl.LazyFrame:
    labels = codes.SUPPORT_KINDS | {SUPPORT_ANY: SUPPORT_ANY_LABEL}
    return pl.LazyFrame({c.SUPPORT_KIND: list(labels), "support_label": list(labels.values())})


def support_summary(frames: Frames, *, period: PeriodKind | None = None) -> pl.DataFrame:
    """People involved, and how many of them had been offered (and took up) each kind of support or
    training by the end of the period; kind 'any' is any support or training at all.

    With ``period=None`` the people are everyone with an involvement that has not ended by ``as_of``, and
    offers made on or before ``as_of`` count.
    """
    if period:
        people = involved_people_by_period(frames, period)
    else:
        people = (
            T.involvements(frames)
            .filter(
                (pl.col(c.START_DATE) <= frames.as_of)
                & (pl.col(c.END_DATE).is_null() | (pl.col(c.END_DATE) >= frames.as_of))
            )
            .select(c.PERSON_ID)
            .unique()
            .with_columns(pl.lit("current").alias(c.PERIOD), pl.lit(frames.as_of).alias(c.PERIOD_END))
        )
    offers = T.support_offers(frames)
    offers = pl.concat([offers, offers.with_columns(pl.lit(SUPPORT_ANY).alias(c.SUPPORT_KIND))])
    per_person = (
        people.join(offers, on=c.PERSON_ID, how="inner")
        .filter(pl.col(c.OFFERED_ON) <= pl.col(c.PERIOD_END))
        .group_by(c.PERIOD, c.PERSON_ID, c.SUPPORT_KIND)
        .agg(pl.col(c.TAKEN_UP).any())
        .group_by(c.PERIOD, c.SUPPORT_KIND)
        .agg(pl.len().alias(c.OFFERED), pl.col(c.TAKEN_UP).sum().alias(c.TAKEN))
    )
    totals = people.group_by(c.PERIOD).agg(pl.col(c.PERSON_ID).n_unique().alias(c.PEOPLE))
    return (
        totals.join(_support_kinds(), how="cross")
        .join(per_person, on=[c.PERIOD, c.SUPPORT_KIND], how="left")
        .with_columns(
            pl.col(c.OFFERED).fill_null(0).cast(pl.Int64), pl.col(c.TAKEN).fill_null(0).cast(pl.Int64)
        )
        .with_columns((pl.col(c.OFFERED) / pl.col(c.PEOPLE)).alias("share_offered"))
        .sort(c.PERIOD, c.SUPPORT_KIND)
        .collect()
    )
