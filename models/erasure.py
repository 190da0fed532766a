"""Corrections and erasure: delete a mistaken record, or erase a person and everything that refers to them.

``erase_person`` honours an erasure request (UK GDPR Article 17): the person, their involvements, attendance,
payments and support offers are removed in one transaction, and a :class:`Receipt` says what was removed. The
audit trail keeps the event (who, when, how many rows of which table), never the person's reference or any of
their answers. ``delete_record`` removes one mistaken record (with the records that cannot exist without it)
the same way. ``delete_missing`` is what ``import --replace`` uses to make a table match its file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import polars as pl
from sqlalchemy import delete, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel

from models import audit
from models.aggregates import delete_aggregates
from models.db import bump_data_version
from models.tables import (
    Activity,
    Attendance,
    Feedback,
    ImpactLog,
    Involvement,
    Meeting,
    Organisation,
    Payment,
    Person,
    ReviewStep,
    SupportOffer,
    table_of,
)

ERASED = "person_erased"
DELETED = "record_deleted"
CHUNK = 5_000

# Tables a record can be deleted from by its reference (attendance: "MEETING_REF/PERSON_REF").
DELETABLE: dict[str, type[SQLModel]] = {
    "people": Person, "activities": Activity, "involvements": Involvement, "meetings": Meeting,
    "attendance": Attendance, "payments": Payment, "impacts": ImpactLog, "feedback": Feedback,
}
# What cannot exist without a record: table -> [(dependent model, its column pointing at the record)].
DEPENDANTS: dict[type[SQLModel], list[tuple[type[SQLModel], str]]] = {
    Person: [(Attendance, "person_id"), (Involvement, "person_id"), (Payment, "person_id"),
             (SupportOffer, "person_id")],
    Activity: [(Attendance, "meeting_id"), (Meeting, "activity_id"), (Involvement, "activity_id"),
               (Payment, "activity_id"), (ImpactLog, "activity_id"), (Feedback, "activity_id"),
               (ReviewStep, "activity_id")],
    Meeting: [(Attendance, "meeting_id")],
}
TABLE_WORDS = {
    "person": "person", "involvement": "involvements", "attendance": "attendance records",
    "payment": "payments", "support_offer": "support offers", "meeting": "meetings", "activity": "activities",
    "impact_log": "impact entries", "feedback": "feedback responses", "review_step": "review steps",
}
# Database table -> the name the importer (and the change counter) uses.
TABLE_NAMES = {"person": "people", "activity": "activities", "involvement": "involvements", "meeting": "meetings",
               "attendance": "attendance", "payment": "payments", "support_offer": "support",
               "impact_log": "impacts", "feedback": "feedback", "review_step": "reviews"}
NO_SUCH_RECORD = "There is no {what} with the reference '{ref}' in {organisation}."
NOT_DELETABLE = "'{table}' is not a table records can be deleted from; use one of: {tables}."
ATTENDANCE_REF = "An attendance record is named MEETING_REF/PERSON_REF, e.g. M1/P001; '{ref}' is not."
CONFIRM_NEEDED = "Nothing was erased: confirm by typing the person's reference, or run again with --yes."


@dataclass
class Receipt:
    """What a deletion or an erasure removed: rows per table, when, by whom, and the audit event's id."""

    action: str
    table: str
    ref: str
    organisation: str
    removed: dict[str, int] = field(default_factory=dict)
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    user: str = ""
    audit_id: int | None = None

    @property
    def total(self) -> int:
        return sum(self.removed.values())

    def lines(self) -> list[str]:
        what = "Erasure" if self.action == ERASED else "Deletion"
        head = (f"{what} receipt: {self.table} '{self.ref}' of {self.organisation}, "
                f"{self.at:%Y-%m-%d %H:%M} UTC, by {self.user} (audit event {self.audit_id}).")
        rows = [f"  {TABLE_WORDS.get(t, t)}: {n:,} removed" for t, n in self.removed.items() if n]
        tail = ("The audit trail records that an erasure happened and how many rows it removed; it does not "
                "keep the reference or any answer." if self.action == ERASED else "")
        return [head, *rows, *([tail] if tail else [])]


def delete_missing(connection: Connection, model: type[SQLModel], organisation_id: int, keys: pl.DataFrame) -> int:
    """Delete the organisation's rows of ``model`` whose key (``keys``' columns) is not among ``keys``."""
    table = table_of(model)
    names = list(keys.columns)
    rows = connection.execute(
        select(table.c.id, *(table.c[n] for n in names)).where(table.c.organisation_id == organisation_id)
    ).all()
    if not rows:
        return 0
    stored = pl.DataFrame(rows, schema={"_id": pl.Int64, **dict(keys.schema)}, orient="row")
    gone = stored.join(keys.unique(), on=names, how="anti", nulls_equal=True).get_column("_id").to_list()
    for start in range(0, len(gone), CHUNK):
        _delete_ids(connection, model, gone[start:start + CHUNK])
    return len(gone)


def _delete_ids(connection: Connection, model: type[SQLModel], ids: list[int]) -> dict[str, int]:
    """Delete rows by id with everything that depends on them (children first); rows removed per table."""
    removed: dict[str, int] = {}
    if not ids:
        return removed
    for child, column in DEPENDANTS.get(model, []):
        child_table = table_of(child)
        if model is Activity and child is Attendance:  # attendance hangs off the activity's meetings
            meetings = table_of(Meeting)
            child_ids = select(meetings.c.id).where(meetings.c.activity_id.in_(ids))
            result = connection.execute(delete(child_table).where(child_table.c.meeting_id.in_(child_ids)))
        else:
            result = connection.execute(delete(child_table).where(child_table.c[column].in_(ids)))
        removed[table_of(child).name] = removed.get(table_of(child).name, 0) + (result.rowcount or 0)
    table = table_of(model)
    result = connection.execute(delete(table).where(table.c.id.in_(ids)))
    removed[table_of(model).name] = result.rowcount or 0
    return removed


def _organisation(connection: Connection, code: str | None) -> tuple[int, str]:
    table = table_of(Organisation)
    query = select(table.c.id, table.c.code).order_by(table.c.id)
    if code is not None:
        query = query.where(table.c.code == code)
    rows = connection.execute(query).all()
    if not rows:
        raise ValueError(f"There is no organisation with the code '{code}'." if code else
                         "There is no organisation yet.")
    if len(rows) > 1:
        raise ValueError(f"There are several organisations ({', '.join(r.code for r in rows)}): "
                         "name one with --organisation.")
    return rows[0].id, rows[0].code


def _find(connection: Connection, table_name: str, ref: str, organisation_id: int, code: str) -> int:
    model = DELETABLE[table_name]
    table = table_of(model)
    if model is Attendance:
        meeting_ref, sep, person_ref = ref.partition("/")
        if not sep:
            raise ValueError(ATTENDANCE_REF.format(ref=ref))
        meetings, people = table_of(Meeting), table_of(Person)
        found = connection.execute(
            select(table.c.id)
            .join(meetings, meetings.c.id == table.c.meeting_id)
            .join(people, people.c.id == table.c.person_id)
            .where((table.c.organisation_id == organisation_id) & (meetings.c.ref == meeting_ref.strip())
                   & (people.c.ref == person_ref.strip()))
        ).scalar_one_or_none()
    else:
        found = connection.execute(
            select(table.c.id).where((table.c.organisation_id == organisation_id) & (table.c.ref == ref))
        ).scalar_one_or_none()
    if found is None:
        what = TABLE_WORDS.get(table_of(model).name, table_of(model).name).rstrip("s") or "record"
        raise ValueError(NO_SUCH_RECORD.format(what=what, ref=ref, organisation=code))
    return int(found)


def preview(*, engine: Engine, table: str, ref: str, organisation_code: str | None = None) -> dict[str, int]:
    """What deleting (or erasing) this record would remove, rows per table, without removing anything."""
    if table not in DELETABLE:
        raise ValueError(NOT_DELETABLE.format(table=table, tables=", ".join(DELETABLE)))
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            organisation_id, code = _organisation(connection, organisation_code)
            record = _find(connection, table, ref, organisation_id, code)
            return _delete_ids(connection, DELETABLE[table], [record])
        finally:
            transaction.rollback()


def _remove(
    *, engine: Engine, table: str, ref: str, organisation_code: str | None, user: str, action: str
) -> Receipt:
    if table not in DELETABLE:
        raise ValueError(NOT_DELETABLE.format(table=table, tables=", ".join(DELETABLE)))
    with engine.begin() as connection:
        organisation_id, code = _organisation(connection, organisation_code)
        record = _find(connection, table, ref, organisation_id, code)
        removed = _delete_ids(connection, DELETABLE[table], [record])
        bump_data_version(connection, organisation_id, [TABLE_NAMES.get(t, t) for t in removed])
        delete_aggregates(connection, organisation_id)  # stale now; published figures the person was in
        detail: dict[str, object] = {"table": table, "removed": removed}
        if action == DELETED:
            detail["record_id"] = record  # a database number, meaningless once the row is gone
        with Session(bind=connection) as session:
            event = audit.record_event(session=session, user=user, action=action, organisation_id=organisation_id,
                                       detail=detail)
            session.flush()
    return Receipt(action=action, table=table, ref=ref, organisation=code, removed=removed, user=user,
                   audit_id=event)


def delete_record(*, engine: Engine, table: str, ref: str, user: str, organisation_code: str | None = None) -> Receipt:
    """Delete one mistaken record (by its reference) and the records that cannot exist without it."""
    return _remove(engine=engine, table=table, ref=ref, organisation_code=organisation_code, user=user,
                   action=DELETED)


def erase_person(*, engine: Engine, person_ref: str, user: str, organisation_code: str | None = None) -> Receipt:
    """Erase a person on request: the person and every record that refers to them, in one transaction. The
    audit event keeps the counts only."""
    return _remove(engine=engine, table="people", ref=person_ref, organisation_code=organisation_code, user=user,
                   action=ERASED)
