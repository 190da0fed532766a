"""The 4PI loader on a real database (SQLite and PostgreSQL): one organisation's rows, typed frames, and the
scorecard computed from them. ``seed_fourpi`` is also used by the page tests in tests/dashboard."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import polars as pl
import pytest
from sqlalchemy.engine import Engine

from analytics import columns as c
from analytics.fourpi import activity_summary, scorecard
from analytics.fourpi import tables as T
from analytics.loader import NO_ORGANISATION, load_frames
from models import (
    Activity,
    Attendance,
    Feedback,
    ImpactLog,
    Involvement,
    Meeting,
    Payment,
    Person,
    ReviewStep,
    SupportOffer,
    session_scope,
)
from models.crud import create_organisation, levels_by_key
from models.tables import OrganisationCreate

AS_OF = date(2025, 6, 30)

# What the 4PI indicators read, written out here as the oracle of the schemas derived from models.tables
ACTIVITY_SCHEMA = {
    c.ACTIVITY_ID: pl.Int64, c.ACTIVITY_REF: pl.String, c.ACTIVITY_NAME: pl.String, c.KIND: pl.String,
    c.INVOLVEMENT_AREA: pl.String, c.INVOLVES: pl.String, c.PURPOSE: pl.String, c.INTENDED_OUTCOMES: pl.String,
    c.PURPOSE_RECORDED_ON: pl.Date, c.HIGH_LEVEL: pl.Boolean, c.START_DATE: pl.Date, c.END_DATE: pl.Date,
    c.LEVEL_ID: pl.Int64,
}
MEETING_SCHEMA = {
    c.MEETING_ID: pl.Int64, c.MEETING_REF: pl.String, c.ACTIVITY_ID: pl.Int64, c.DATE: pl.Date,
    c.START_TIME: pl.Time, c.PAPERS_SENT: pl.Date,
}
ATTENDANCE_SCHEMA = {
    "id": pl.Int64, c.MEETING_ID: pl.Int64, c.PERSON_ID: pl.Int64, c.CAPACITY: pl.String,
    c.ATTENDANCE_STATUS: pl.String,
}
PAYMENT_SCHEMA = {
    c.PAYMENT_REF: pl.String, c.PERSON_ID: pl.Int64, c.ACTIVITY_ID: pl.Int64, c.PAYMENT_KIND: pl.String,
    c.CLAIM_DATE: pl.Date, c.PAID_DATE: pl.Date, c.AMOUNT: pl.Float64,
}


def load_frames_4pi(engine: Engine, organisation_id: int, *, as_of: date | None = None):
    return load_frames(engine, organisation_id, as_of=as_of)


def schema(frame: pl.LazyFrame) -> dict:
    return dict(frame.collect_schema())


def seed_fourpi(engine: Engine, *, code: str = "RT1", name: str = "Test trust") -> int:
    """A small organisation with every 4PI table filled; returns its id. The board (BRD) has three meetings:
    3 people (with a reserve), 1 person alone (papers 2 days before, 09:00 start), and 2 people (no times)."""
    with session_scope(engine) as session:
        org = create_organisation(session=session, organisation=OrganisationCreate(code=code, name=name))
        levels = levels_by_key(session=session, organisation_id=org.id)
        board = Activity(
            organisation_id=org.id,
            level_id=levels["board"].id,
            ref="BRD",
            name="Trust board",
            involvement_area="D",
            involves="both",
            high_level=True,
            start_date=date(2024, 1, 1),
            purpose="Shape strategy",
            intended_outcomes="Two changes a year",
            purpose_recorded_on=date(2024, 1, 10),
        )
        group = Activity(
            organisation_id=org.id,
            level_id=levels["operational"].id,
            ref="OPS",
            name="Ward group",
            kind="group",
            involvement_area="C",
            involves="service_user",
            start_date=date(2024, 3, 1),
        )
        session.add_all([board, group])
        people = [
            Person(organisation_id=org.id, ref=f"{code}-P{i}", involvement_type=t)
            for i, t in enumerate(["service_user", "service_user", "carer", "carer"], start=1)
        ]
        session.add_all(people)
        session.flush()
        p1, p2, p3, p4 = (p.id for p in people)
        session.add_all(
            [
                Involvement(
                    organisation_id=org.id,
                    ref=f"{code}-I1",
                    person_id=p1,
                    activity_id=board.id,
                    has_role_description=True,
                    start_date=date(2024, 1, 1),
                ),
                Involvement(
                    organisation_id=org.id,
                    ref=f"{code}-I2",
                    person_id=p3,
                    activity_id=board.id,
                    start_date=date(2024, 1, 1),
                ),
                Involvement(
                    organisation_id=org.id,
                    ref=f"{code}-I3",
                    person_id=p2,
                    activity_id=group.id,
                    has_role_description=True,
                    start_date=date(2024, 3, 1),
                ),
            ]
        )
        meetings = [
            Meeting(
                organisation_id=org.id,
                activity_id=board.id,
                ref=f"{code}-M1",
                date=date(2025, 1, 15),
                start_time=time(10, 0),
                papers_sent=date(2025, 1, 6),
            ),
            Meeting(
                organisation_id=org.id,
                activity_id=board.id,
                ref=f"{code}-M2",
                date=date(2025, 3, 12),
                start_time=time(9, 0),
                papers_sent=date(2025, 3, 10),
            ),
            Meeting(organisation_id=org.id, activity_id=board.id, ref=f"{code}-M3", date=date(2025, 5, 14)),
            Meeting(
                organisation_id=org.id,
                activity_id=group.id,
                ref=f"{code}-M4",
                date=date(2025, 2, 1),
                start_time=time(14, 0),
                papers_sent=date(2025, 1, 20),
            ),
        ]
        session.add_all(meetings)
        session.flush()
        m1, m2, m3, m4 = (m.id for m in meetings)
        for meeting, person, capacity, status in [
            (m1, p1, "service_user", "attended"),
            (m1, p2, "service_user", "attended"),
            (m1, p3, "carer", "attended"),
            (m1, p4, "carer", "reserve"),
            (m2, p1, "service_user", "attended"),
            (m3, p1, "service_user", "attended"),
            (m3, p3, "carer", "attended"),
            (m4, p2, "service_user", "attended"),
            (m4, p1, "service_user", "attended"),
        ]:
            session.add(
                Attendance(
                    organisation_id=org.id,
                    meeting_id=meeting,
                    person_id=person,
                    capacity=capacity,
                    status=status,
                )
            )
        session.add_all(
            [
                Payment(
                    organisation_id=org.id,
                    ref=f"{code}-X1",
                    person_id=p1,
                    activity_id=board.id,
                    kind="fee",
                    claim_date=date(2025, 1, 15),
                    paid_date=date(2025, 2, 1),
                    amount=Decimal("60.00"),
                ),
                Payment(
                    organisation_id=org.id,
                    ref=f"{code}-X2",
                    person_id=p3,
                    activity_id=board.id,
                    kind="travel",
                    claim_date=date(2025, 3, 12),
                    amount=Decimal("12.40"),
                ),
                SupportOffer(
                    organisation_id=org.id,
                    person_id=p1,
                    kind="training",
                    offered_on=date(2024, 2, 1),
                    taken_up=True,
                ),
                ImpactLog(
                    organisation_id=org.id,
                    ref=f"{code}-E1",
                    activity_id=board.id,
                    recorded_on=date(2025, 2, 1),
                    area="policy_planning",
                    what_changed="Involvement policy rewritten",
                ),
                Feedback(
                    organisation_id=org.id,
                    ref=f"{code}-F1",
                    activity_id=board.id,
                    submitted_on=date(2025, 3, 1),
                    felt_valued="agree",
                    could_influence="disagree",
                ),
                ReviewStep(
                    organisation_id=org.id,
                    activity_id=board.id,
                    cycle=1,
                    stage="act",
                    completed_on=date(2025, 3, 1),
                ),
            ]
        )
        return org.id


def test_loader_reads_one_organisation_with_typed_frames(engine):
    first = seed_fourpi(engine)
    other = seed_fourpi(engine, code="RT2", name="Other trust")
    frames = load_frames_4pi(engine, first, as_of=AS_OF)
    assert frames.organisation.row(0, named=True)["code"] == "RT1"
    assert frames.levels.height == 5
    assert frames.activities.height == 2 and frames.meetings.height == 4 and frames.attendance.height == 9
    people = T.people(frames).collect()
    assert people.get_column(c.PERSON_REF).str.starts_with("RT1-").all()  # nothing of the other trust
    assert schema(T.activities(frames)) == ACTIVITY_SCHEMA
    assert schema(T.meetings(frames)) == MEETING_SCHEMA
    assert schema(T.attendance(frames)) == ATTENDANCE_SCHEMA
    assert schema(T.payments(frames)) == PAYMENT_SCHEMA
    meeting = T.meetings(frames).filter(pl.col(c.MEETING_REF) == "RT1-M2").collect().row(0, named=True)
    assert (meeting[c.START_TIME], meeting[c.PAPERS_SENT]) == (time(9, 0), date(2025, 3, 10))
    assert sorted(frames.payments.get_column(c.AMOUNT).to_list()) == pytest.approx([12.4, 60.0])
    assert frames.feedback.row(0, named=True)[c.INFORMED_OF_OUTCOMES] == "not_known"  # the default
    assert frames.as_of == AS_OF
    assert load_frames_4pi(engine, other, as_of=AS_OF).activities.height == 2


def test_scorecard_from_the_database(engine):
    organisation = seed_fourpi(engine)
    frames = load_frames_4pi(engine, organisation, as_of=AS_OF)
    card = scorecard(frames, "2025")
    rows = {
        r[c.INDICATOR]: (r[c.NUMERATOR], r[c.DENOMINATOR], r[c.LEFT_OUT]) for r in card.iter_rows(named=True)
    }
    assert rows["presence_minimum"] == (3, 4, 0)  # M1 3, M3 2, M4 2 of 4 (M2 alone)
    assert rows["never_alone"] == (3, 4, 0)
    assert rows["reserve"] == (1, 3, 0)  # board: reserve at M1 only
    assert rows["papers_on_time"] == (2, 3, 1)  # M1 9 days, M4 12 days; M2 2 days; M3 not recorded
    assert rows["start_time"] == (2, 3, 1)  # M2 09:00 too early
    assert rows["payments_on_time"] == (1, 2, 0)  # X1 17 days; X2 unpaid 110 days on 30 June: overdue
    assert rows["role_clarity"] == (1, 2, 0)  # OPS yes; BRD has one involvement without
    summary = activity_summary(frames, "BRD")
    assert summary.sentences[0] == (
        "Your 3 meetings so far: 1 had only one service user or carer; "
        "2 of 3 had the minimum of 2 and 1 the ideal of 3 or more."
    )


def test_loader_refuses_an_unknown_organisation(engine):
    with pytest.raises(ValueError, match=NO_ORGANISATION.format(organisation_id=999)):
        load_frames_4pi(engine, 999)


def test_loader_on_an_empty_organisation(engine):
    with session_scope(engine) as session:
        org = create_organisation(session=session, organisation=OrganisationCreate(code="E1", name="Empty"))
        organisation = org.id
    frames = load_frames_4pi(engine, organisation, as_of=AS_OF)
    assert frames.meetings.height == 0 and schema(T.meetings(frames)) == MEETING_SCHEMA
    assert set(scorecard(frames).get_column(c.RAG)) == {c.RAG_NO_DATA}
