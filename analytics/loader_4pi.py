"""Loader of the 4PI monitoring tables: the one place the 4PI analytics read from ``models``.

``load_frames_4pi(engine, organisation_id)`` returns a frozen ``Frames4PI`` of polars frames with fixed
schemas (empty tables give empty frames with the right columns, so every 4PI function works on a new
organisation).
Column names are the constants of :mod:`analytics.fourpi_columns`. People are pseudonymous references only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from analytics import fourpi_columns as c

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

NO_ORGANISATION = "There is no organisation with the id {organisation_id}."

ORGANISATION_SCHEMA = {c.ORGANISATION_ID: pl.Int64, "code": pl.String, "name": pl.String}
LEVEL_SCHEMA = {
    c.LEVEL_ID: pl.Int64,
    c.LEVEL_RANK: pl.Int64,
    c.LEVEL_KEY: pl.String,
    c.LEVEL_NAME: pl.String,
    c.DECISION_MAKING: pl.Boolean,
}
ACTIVITY_SCHEMA = {
    c.ACTIVITY_ID: pl.Int64,
    c.ACTIVITY_REF: pl.String,
    c.ACTIVITY_NAME: pl.String,
    c.KIND: pl.String,
    c.INVOLVEMENT_AREA: pl.String,
    c.INVOLVES: pl.String,
    c.PURPOSE: pl.String,
    c.INTENDED_OUTCOMES: pl.String,
    c.PURPOSE_RECORDED_ON: pl.Date,
    c.HIGH_LEVEL: pl.Boolean,
    c.START_DATE: pl.Date,
    c.END_DATE: pl.Date,
    c.LEVEL_ID: pl.Int64,
}
PERSON_SCHEMA = {c.PERSON_ID: pl.Int64, c.PERSON_REF: pl.String, c.INVOLVEMENT_TYPE: pl.String}
INVOLVEMENT_SCHEMA = {
    c.INVOLVEMENT_ID: pl.Int64,
    c.PERSON_ID: pl.Int64,
    c.ACTIVITY_ID: pl.Int64,
    c.ROLE: pl.String,
    c.PAYMENT_BASIS: pl.String,
    c.HAS_ROLE_DESCRIPTION: pl.Boolean,
    c.START_DATE: pl.Date,
    c.END_DATE: pl.Date,
}
MEETING_SCHEMA = {
    c.MEETING_ID: pl.Int64,
    c.MEETING_REF: pl.String,
    c.ACTIVITY_ID: pl.Int64,
    c.DATE: pl.Date,
    c.START_TIME: pl.Time,
    c.PAPERS_SENT: pl.Date,
}
ATTENDANCE_SCHEMA = {
    c.MEETING_ID: pl.Int64,
    c.PERSON_ID: pl.Int64,
    c.CAPACITY: pl.String,
    c.ATTENDANCE_STATUS: pl.String,
}
PAYMENT_SCHEMA = {
    c.PAYMENT_REF: pl.String,
    c.PERSON_ID: pl.Int64,
    c.ACTIVITY_ID: pl.Int64,
    c.PAYMENT_KIND: pl.String,
    c.CLAIM_DATE: pl.Date,
    c.PAID_DATE: pl.Date,
    c.AMOUNT: pl.Float64,
}
SUPPORT_SCHEMA = {
    c.PERSON_ID: pl.Int64,
    c.SUPPORT_KIND: pl.String,
    c.OFFERED_ON: pl.Date,
    c.TAKEN_UP: pl.Boolean,
}
IMPACT_SCHEMA = {
    c.IMPACT_REF: pl.String,
    c.ACTIVITY_ID: pl.Int64,
    c.RECORDED_ON: pl.Date,
    c.IMPACT_AREA: pl.String,
    c.WHAT_CHANGED: pl.String,
    c.EVIDENCE: pl.String,
}
FEEDBACK_SCHEMA = {
    c.FEEDBACK_REF: pl.String,
    c.ACTIVITY_ID: pl.Int64,
    c.SUBMITTED_ON: pl.Date,
    **{question: pl.String for question in c.FEEDBACK_QUESTIONS},
}
REVIEW_SCHEMA = {
    c.ACTIVITY_ID: pl.Int64,
    c.CYCLE: pl.Int64,
    c.REVIEW_STAGE: pl.String,
    c.COMPLETED_ON: pl.Date,
}


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """An empty frame with this schema (used by tests and by the loader for empty tables)."""
    return pl.DataFrame(schema=schema)


@dataclass(frozen=True)
class Frames4PI:
    """The tables the 4PI indicators are computed from, for one organisation.

    ``as_of`` is the day the figures are worked out on: meetings after it have not happened yet, and an unpaid
    claim is overdue only once ``payment_days`` have passed by that day.
    """

    organisation: pl.DataFrame = field(default_factory=lambda: empty(ORGANISATION_SCHEMA))
    levels: pl.DataFrame = field(default_factory=lambda: empty(LEVEL_SCHEMA))
    activities: pl.DataFrame = field(default_factory=lambda: empty(ACTIVITY_SCHEMA))
    people: pl.DataFrame = field(default_factory=lambda: empty(PERSON_SCHEMA))
    involvements: pl.DataFrame = field(default_factory=lambda: empty(INVOLVEMENT_SCHEMA))
    meetings: pl.DataFrame = field(default_factory=lambda: empty(MEETING_SCHEMA))
    attendance: pl.DataFrame = field(default_factory=lambda: empty(ATTENDANCE_SCHEMA))
    payments: pl.DataFrame = field(default_factory=lambda: empty(PAYMENT_SCHEMA))
    support_offers: pl.DataFrame = field(default_factory=lambda: empty(SUPPORT_SCHEMA))
    impact_log: pl.DataFrame = field(default_factory=lambda: empty(IMPACT_SCHEMA))
    feedback: pl.DataFrame = field(default_factory=lambda: empty(FEEDBACK_SCHEMA))
    review_steps: pl.DataFrame = field(default_factory=lambda: empty(REVIEW_SCHEMA))
    as_of: date = field(default_factory=date.today)

    @classmethod
    def from_rows(cls, *, as_of: date | None = None, **tables: list[dict]) -> Frames4PI:
        """Frames from lists of row dicts (handy for tests and small examples); missing tables are empty."""
        schemas = {
            "organisation": ORGANISATION_SCHEMA,
            "levels": LEVEL_SCHEMA,
            "activities": ACTIVITY_SCHEMA,
            "people": PERSON_SCHEMA,
            "involvements": INVOLVEMENT_SCHEMA,
            "meetings": MEETING_SCHEMA,
            "attendance": ATTENDANCE_SCHEMA,
            "payments": PAYMENT_SCHEMA,
            "support_offers": SUPPORT_SCHEMA,
            "impact_log": IMPACT_SCHEMA,
            "feedback": FEEDBACK_SCHEMA,
            "review_steps": REVIEW_SCHEMA,
        }
        unknown = set(tables) - set(schemas)
        if unknown:
            raise ValueError(f"Frames4PI has no table called {sorted(unknown)[0]!r}.")
        frames = {name: pl.DataFrame(tables.get(name, []), schema=schema) for name, schema in schemas.items()}
        return cls(**frames, as_of=as_of or date.today())


def load_frames_4pi(engine: Engine, organisation_id: int, *, as_of: date | None = None) -> Frames4PI:
    """Read the 4PI tables of one organisation into polars frames (ValueError when it does not exist).

    Read by ``models.db.frame_reader`` (ADBC on PostgreSQL, raw sqlite3 on SQLite); the database code is imported
    here, not when the module is."""
    from sqlalchemy import Float, cast, select

    from models.db import frame_reader
    from models.tables import (
        Activity,
        Attendance,
        Feedback,
        ImpactLog,
        Involvement,
        Level,
        Meeting,
        Organisation,
        Payment,
        Person,
        ReviewStep,
        SupportOffer,
    )

    org = organisation_id
    with frame_reader(engine) as read:
        organisation = read(
            select(Organisation.id, Organisation.code, Organisation.name).where(Organisation.id == org),
            ORGANISATION_SCHEMA,
        )
        if organisation.height == 0:
            raise ValueError(NO_ORGANISATION.format(organisation_id=organisation_id))
        levels = read(
            select(
                Level.id,
                Level.rank,
                Level.key,
                Level.name,
                Level.decision_making,
            )
            .where(Level.organisation_id == org)
            .order_by(Level.rank),
            LEVEL_SCHEMA,
        )
        activities = read(
            select(
                Activity.id,
                Activity.ref,
                Activity.name,
                Activity.kind,
                Activity.involvement_area,
                Activity.involves,
                Activity.purpose,
                Activity.intended_outcomes,
                Activity.purpose_recorded_on,
                Activity.high_level,
                Activity.start_date,
                Activity.end_date,
                Activity.level_id,
            )
            .where(Activity.organisation_id == org)
            .order_by(Activity.id),
            ACTIVITY_SCHEMA,
        )
        people = read(
            select(Person.id, Person.ref, Person.involvement_type)
            .where(Person.organisation_id == org)
            .order_by(Person.id),
            PERSON_SCHEMA,
        )
        involvements = read(
            select(
                Involvement.id,
                Involvement.person_id,
                Involvement.activity_id,
                Involvement.role,
                Involvement.payment_basis,
                Involvement.has_role_description,
                Involvement.start_date,
                Involvement.end_date,
            )
            .where(Involvement.organisation_id == org)
            .order_by(Involvement.id),
            INVOLVEMENT_SCHEMA,
        )
        meetings = read(
            select(
                Meeting.id,
                Meeting.ref,
                Meeting.activity_id,
                Meeting.date,
                Meeting.start_time,
                Meeting.papers_sent,
            )
            .where(Meeting.organisation_id == org)
            .order_by(Meeting.date, Meeting.id),
            MEETING_SCHEMA,
        )
        attendance = read(
            select(
                Attendance.meeting_id,
                Attendance.person_id,
                Attendance.capacity,
                Attendance.status,
            )
            .where(Attendance.organisation_id == org)
            .order_by(Attendance.id),
            ATTENDANCE_SCHEMA,
        )
        payments = read(
            select(
                Payment.ref,
                Payment.person_id,
                Payment.activity_id,
                Payment.kind,
                Payment.claim_date,
                Payment.paid_date,
                cast(Payment.amount, Float),
            )
            .where(Payment.organisation_id == org)
            .order_by(Payment.claim_date, Payment.id),
            PAYMENT_SCHEMA,
        )
        support = read(
            select(
                SupportOffer.person_id,
                SupportOffer.kind,
                SupportOffer.offered_on,
                SupportOffer.taken_up,
            )
            .where(SupportOffer.organisation_id == org)
            .order_by(SupportOffer.offered_on, SupportOffer.id),
            SUPPORT_SCHEMA,
        )
        impact = read(
            select(
                ImpactLog.ref,
                ImpactLog.activity_id,
                ImpactLog.recorded_on,
                ImpactLog.area,
                ImpactLog.what_changed,
                ImpactLog.evidence,
            )
            .where(ImpactLog.organisation_id == org)
            .order_by(ImpactLog.recorded_on, ImpactLog.id),
            IMPACT_SCHEMA,
        )
        feedback = read(
            select(
                Feedback.ref,
                Feedback.activity_id,
                Feedback.submitted_on,
                Feedback.felt_valued,
                Feedback.could_influence,
                Feedback.informed_of_outcomes,
            )
            .where(Feedback.organisation_id == org)
            .order_by(Feedback.submitted_on, Feedback.id),
            FEEDBACK_SCHEMA,
        )
        reviews = read(
            select(
                ReviewStep.activity_id,
                ReviewStep.cycle,
                ReviewStep.stage,
                ReviewStep.completed_on,
            )
            .where(ReviewStep.organisation_id == org)
            .order_by(ReviewStep.activity_id, ReviewStep.cycle, ReviewStep.completed_on),
            REVIEW_SCHEMA,
        )
    return Frames4PI(
        organisation=organisation,
        levels=levels,
        activities=activities,
        people=people,
        involvements=involvements,
        meetings=meetings,
        attendance=attendance,
        payments=payments,
        support_offers=support,
        impact_log=impact,
        feedback=feedback,
        review_steps=reviews,
        as_of=as_of or date.today(),
    )
