"""The audit trail of imports and exports: every attempt leaves exactly one event, and a rejected or refused
import leaves the data tables exactly as they were."""

from __future__ import annotations

import hashlib
import io
import json

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models import audit, crud
from models.exporter import export_all
from models.importer import COMMITTED, REFUSED, REJECTED, import_file
from models.tables import ALL_TABLES, AuditEvent, ImportLog, Organisation, OrganisationCreate, Person

PEOPLE = "ref,involvement_type,ethnicity\nP1,service_user,A\nP2,carer,N\nP3,both,Z\n"
BAD_PEOPLE = "ref,involvement_type,ethnicity\nP9,service_user,A\nP10,alien,A\nP11,carer,Martian\n"
ACTIVITIES = "ref,name,involvement_area,level,start_date\nQSC,Quality committee,D,board,2023-04-01\n"
STEWARD = "steward@trust.example"
DATA_TABLES = tuple(model for model in ALL_TABLES if model is not AuditEvent)


@pytest.fixture
def org(engine: Engine) -> Engine:
    with Session(engine) as session:
        crud.create_organisation(session=session, organisation=OrganisationCreate(code="T1", name="Trust"))
        session.commit()
    return engine


def organisation_id(engine: Engine, code: str = "T1") -> int:
    with engine.connect() as connection:
        return connection.execute(select(Organisation.id).where(Organisation.code == code)).scalar_one()


def last_event_id(engine: Engine) -> int:
    """Audit events are never deleted (not even between PostgreSQL tests), so compare by id."""
    with engine.connect() as connection:
        return connection.execute(select(func.coalesce(func.max(AuditEvent.id), 0))).scalar_one()


def events_after(engine: Engine, event_id: int) -> list[AuditEvent]:
    with Session(engine) as session:
        query = select(AuditEvent).where(AuditEvent.id > event_id).order_by(AuditEvent.id)
        return list(session.scalars(query))


def checksum(engine: Engine) -> dict[str, tuple[int, str]]:
    out = {}
    with engine.connect() as connection:
        for model in DATA_TABLES:
            table = model.__table__
            rows = connection.execute(select(table).order_by(table.c.id)).all()
            out[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


def imp(engine: Engine, content: str | bytes, name: str = "people.csv", **kwargs):
    data = content.encode() if isinstance(content, str) else content
    return import_file(engine=engine, path_or_bytes=data, file_name=name, user=STEWARD, **kwargs)


def test_a_committed_import_leaves_one_event_with_user_organisation_and_counts(org):
    before = last_event_id(org)
    report = imp(org, PEOPLE)
    assert report.committed
    [event] = events_after(org, before)
    assert (event.user, event.action, event.organisation_id) == (STEWARD, audit.IMPORT, organisation_id(org))
    detail = event.detail
    assert (detail["file"], detail["table"], detail["organisation"], detail["outcome"]) == (
        "people.csv",
        "people",
        "T1",
        COMMITTED,
    )
    assert (
        detail["rows_read"],
        detail["added"],
        detail["updated"],
        detail["unchanged"],
        detail["rejected"],
    ) == (
        3,
        3,
        0,
        0,
        0,
    )
    assert detail["problems"] == 0 and detail["dry_run"] is False
    again = last_event_id(org)
    imp(org, PEOPLE.replace("P3,both,Z", "P3,both,A"))  # one row changed
    [event] = events_after(org, again)
    assert (event.detail["added"], event.detail["updated"], event.detail["unchanged"]) == (0, 1, 2)


def test_a_rejected_import_leaves_one_event_and_the_data_tables_unchanged(org):
    imp(org, PEOPLE)
    data_before, event_before = checksum(org), last_event_id(org)
    report = imp(org, BAD_PEOPLE)
    assert not report.committed and len(report.problems) == 2
    assert checksum(org) == data_before
    [event] = events_after(org, event_before)
    assert (event.user, event.action, event.organisation_id) == (STEWARD, audit.IMPORT, organisation_id(org))
    detail = event.detail
    assert (detail["outcome"], detail["rows_read"], detail["rejected"], detail["problems"]) == (
        REJECTED,
        3,
        2,
        2,
    )
    assert (detail["added"], detail["updated"]) == (0, 0)
    assert "Martian" not in json.dumps(detail)  # counts and names of things, never cell values


def test_a_refused_file_leaves_one_event_naming_the_reason(org):
    data_before, event_before = checksum(org), last_event_id(org)
    with pytest.raises(ValueError, match="not a CSV text file"):
        imp(org, b"\x00\x01\x02binary\xff\x00", "x.csv", organisation_code="T1")
    assert checksum(org) == data_before
    [event] = events_after(org, event_before)
    assert (event.user, event.action, event.organisation_id) == (STEWARD, audit.IMPORT, organisation_id(org))
    assert event.detail["outcome"] == REFUSED and event.detail["file"] == "x.csv"
    assert "not a CSV text file" in event.detail["reason"]


def test_a_database_failure_is_refused_audited_and_rolled_back(org, monkeypatch):
    from models.importer import write

    data_before, event_before = checksum(org), last_event_id(org)

    def failing_log(*_args, **_kwargs):
        raise org.dialect.loaded_dbapi.OperationalError("simulated failure")

    monkeypatch.setattr(write, "log_import", failing_log)
    with pytest.raises(ValueError, match="refused the import of people.csv"):
        imp(org, PEOPLE)
    assert checksum(org) == data_before
    [event] = events_after(org, event_before)
    assert event.detail["outcome"] == REFUSED and "simulated failure" in event.detail["reason"]


def test_a_failing_audit_event_rolls_the_committed_import_back(org, monkeypatch):
    """The committed import's event is in the import's transaction: no import without its audit event."""
    data_before, event_before = checksum(org), last_event_id(org)

    def failing_record(**kwargs):
        if "session" in kwargs:
            raise org.dialect.loaded_dbapi.OperationalError("audit unavailable")
        return real(**kwargs)

    real = audit.record_event
    monkeypatch.setattr(audit, "record_event", failing_record)
    with pytest.raises(ValueError, match="audit unavailable"):
        imp(org, PEOPLE)
    assert checksum(org) == data_before
    [event] = events_after(org, event_before)  # the refusal itself is recorded in its own transaction
    assert event.detail["outcome"] == REFUSED


def test_a_dry_run_is_audited_as_checked(org):
    event_before = last_event_id(org)
    report = imp(org, PEOPLE, dry_run=True)
    assert report.outcome == "checked"
    [event] = events_after(org, event_before)
    assert (event.detail["outcome"], event.detail["dry_run"], event.detail["added"]) == ("checked", True, 3)
    with org.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Person.__table__)).scalar_one() == 0


def test_a_workbook_import_records_counts_per_table(org):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, text in (("people", PEOPLE), ("activities", ACTIVITIES)):
        sheet = book.create_sheet(name)
        for line in text.splitlines():
            sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    event_before = last_event_id(org)
    assert imp(org, buffer.getvalue(), "registers.xlsx").committed
    [event] = events_after(org, event_before)
    assert event.detail["table"] == "people, activities" and event.detail["added"] == 4
    assert (
        event.detail["tables"]["people"]["added"] == 3 and event.detail["tables"]["activities"]["added"] == 1
    )


def test_an_import_needs_a_user(org):
    with pytest.raises(ValueError, match="needs the user"):
        import_file(engine=org, path_or_bytes=PEOPLE.encode(), file_name="people.csv", user=" ")


def test_an_export_leaves_one_event_with_user_and_row_counts(org, tmp_path):
    imp(org, PEOPLE)
    event_before = last_event_id(org)
    paths = export_all(engine=org, directory=tmp_path / "out", user=STEWARD)
    [event] = events_after(org, event_before)
    assert (event.user, event.action, event.organisation_id) == (STEWARD, audit.EXPORT, organisation_id(org))
    assert event.detail["organisation"] == "T1"
    assert sorted(event.detail["files"]) == sorted(p.name for p in paths)
    assert event.detail["rows"]["people"] == 3 and event.detail["rows"]["organisations"] == 1
    assert event.detail["rows"]["levels"] == 5 and event.detail["rows"]["attendance"] == 0
    with org.connect() as connection:
        assert connection.execute(select(func.count()).select_from(ImportLog.__table__)).scalar_one() == 1


def test_an_export_of_several_organisations_leaves_one_event_each(org, tmp_path):
    with Session(org) as session:
        crud.create_organisation(session=session, organisation=OrganisationCreate(code="T2", name="Other"))
        session.commit()
    event_before = last_event_id(org)
    export_all(engine=org, directory=tmp_path / "all", user=STEWARD)
    events = events_after(org, event_before)
    assert sorted((e.organisation_id, e.detail["organisation"]) for e in events) == [
        (organisation_id(org, "T1"), "T1"),
        (organisation_id(org, "T2"), "T2"),
    ]
    assert all(e.action == audit.EXPORT and e.user == STEWARD for e in events)
