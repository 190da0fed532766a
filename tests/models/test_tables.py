"""The data model on SQLite and PostgreSQL: keys, constraints, defaults and the append-only audit trail."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from data import codes
from models import (
    Activity,
    Attendance,
    AuditEvent,
    Baseline,
    Involvement,
    Level,
    Meeting,
    Organisation,
    Person,
    upgrade_schema,
)
from models.crud import create_organisation, get_organisation, levels_by_key
from models.db import alembic_config
from models.tables import ALL_TABLES, OrganisationCreate


def _org(session: Session, code: str = "T1") -> Organisation:
    return create_organisation(
        session=session,
        organisation=OrganisationCreate(code=code, name="Test trust", catchment=["E09000022", "E09000028"]),
    )


def _activity(session: Session, org: Organisation, ref: str = "ACT-1") -> Activity:
    board = levels_by_key(session=session, organisation_id=org.id)["board"]
    activity = Activity(organisation_id=org.id, level_id=board.id, ref=ref, name="Board", involvement_area="D",
                        start_date=date(2024, 1, 1), high_level=True)
    session.add(activity)
    session.flush()
    return activity


def test_every_table_is_created(engine):
    names = set(inspect(engine).get_table_names())
    assert {t.__tablename__ for t in ALL_TABLES} <= names
    assert "alembic_version" in names


def test_upgrade_is_idempotent_and_reaches_the_newest_revision(engine):
    upgrade_schema(engine)  # second run on a migrated database changes nothing and does not fail
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head


def test_reference_baseline_cells_cannot_be_loaded_twice(engine):
    cell = dict(source="census2021", year=2021, geography_code="E09000022", geography_name="Lambeth",
                characteristic="ethnicity", group="A")
    with Session(engine) as session:
        session.add(Baseline(count=1, **cell))
        session.commit()
        session.add(Baseline(count=1, **cell))
        with pytest.raises(IntegrityError):
            session.commit()


def test_organisation_gets_five_ordered_levels_with_decision_making_at_the_top(engine):
    with Session(engine) as session:
        org = _org(session)
        session.commit()
        levels = session.exec(select(Level).where(Level.organisation_id == org.id).order_by(Level.rank)).all()
    assert [lv.key for lv in levels] == ["individual", "community", "operational", "strategic", "board"]
    assert [lv.decision_making for lv in levels] == [False, False, False, True, True]


def test_catchment_round_trips_as_a_list(engine):
    with Session(engine) as session:
        _org(session)
        session.commit()
    with Session(engine) as session:
        assert get_organisation(session=session).catchment == ["E09000022", "E09000028"]


def test_person_defaults_are_explicit_not_known_values(engine):
    with Session(engine) as session:
        org = _org(session)
        session.add(Person(organisation_id=org.id, ref="P1", involvement_type="carer"))
        session.commit()
        person = session.exec(select(Person)).one()
    assert person.ethnicity == codes.ETHNICITY_NOT_KNOWN
    assert person.sex == person.disability == person.religion == codes.NOT_KNOWN


@pytest.mark.parametrize("field,value", [
    ("ethnicity", "X"),            # not an NHS or ONS code
    ("sex", "unknown"),            # must be not_known
    ("age_band", "18-30"),         # not a Census band
    ("involvement_type", "staff"),
    ("religion", "Jedi"),
])
def test_database_refuses_values_outside_the_code_lists(engine, field, value):
    with Session(engine) as session:
        org = _org(session)
        session.commit()
        person = Person(organisation_id=org.id, ref="P1", involvement_type="carer")
        setattr(person, field, value)
        session.add(person)
        with pytest.raises(IntegrityError):
            session.commit()


def test_person_ref_is_unique_per_organisation_only(engine):
    with Session(engine) as session:
        a, b = _org(session, "A"), _org(session, "B")
        session.add_all([Person(organisation_id=a.id, ref="P1", involvement_type="carer"),
                         Person(organisation_id=b.id, ref="P1", involvement_type="carer")])
        session.commit()
        session.add(Person(organisation_id=a.id, ref="P1", involvement_type="service_user"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_involvement_end_before_start_is_refused(engine):
    with Session(engine) as session:
        org = _org(session)
        activity = _activity(session, org)
        person = Person(organisation_id=org.id, ref="P1", involvement_type="service_user")
        session.add(person)
        session.flush()
        session.add(Involvement(organisation_id=org.id, ref="I1", person_id=person.id, activity_id=activity.id,
                                start_date=date(2024, 5, 1), end_date=date(2024, 4, 1)))
        with pytest.raises(IntegrityError):
            session.commit()


def test_attendance_is_once_per_person_per_meeting_and_needs_a_real_meeting(engine):
    with Session(engine) as session:
        org = _org(session)
        activity = _activity(session, org)
        person = Person(organisation_id=org.id, ref="P1", involvement_type="service_user")
        meeting = Meeting(organisation_id=org.id, activity_id=activity.id, ref="M1", date=date(2024, 2, 1),
                          start_time=time(10, 30), papers_sent=date(2024, 1, 20))
        session.add_all([person, meeting])
        session.flush()
        session.add(Attendance(organisation_id=org.id, meeting_id=meeting.id, person_id=person.id))
        session.commit()
        session.add(Attendance(organisation_id=org.id, meeting_id=meeting.id, person_id=person.id, status="reserve"))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        session.add(Attendance(organisation_id=org.id, meeting_id=99999, person_id=person.id))
        with pytest.raises(IntegrityError):
            session.commit()


def test_deleting_an_organisation_removes_its_records(engine):
    with Session(engine) as session:
        org = _org(session)
        session.add(Person(organisation_id=org.id, ref="P1", involvement_type="carer"))
        session.commit()
        session.delete(session.get(Organisation, org.id))
        session.commit()
        assert session.exec(select(func.count()).select_from(Person)).one() == 0
        assert session.exec(select(func.count()).select_from(Level)).one() == 0


def test_baseline_cells_are_unique_and_non_negative(engine):
    cell = dict(source="caseload", year=2024, geography_code="E09000022", geography_name="Lambeth",
                characteristic="ethnicity", group="A")
    with Session(engine) as session:
        org = _org(session)
        session.add(Baseline(organisation_id=org.id, count=10, **cell))
        session.commit()
        session.add(Baseline(organisation_id=org.id, count=12, **cell))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        session.add(Baseline(organisation_id=org.id, count=-1, **(cell | {"group": "B"})))
        with pytest.raises(IntegrityError):
            session.commit()


def test_audit_trail_is_append_only(engine):
    with Session(engine) as session:
        session.add(AuditEvent(user="steward@example.org", action="test_append_only", detail={"n": 1},
                               at=datetime(2026, 1, 1, tzinfo=UTC)))
        session.commit()
    for statement in ("UPDATE audit_event SET action = 'x' WHERE action = 'test_append_only'",
                      "DELETE FROM audit_event WHERE action = 'test_append_only'"):
        with pytest.raises(Exception, match="append-only"):
            with engine.begin() as connection:
                connection.execute(text(statement))
    with Session(engine) as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.action == "test_append_only")).all()
    assert len(rows) == 1 and rows[0].detail == {"n": 1}
