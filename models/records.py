"""Everyday entry: one person, one activity, one involvement, one meeting and its attendance, one payment,
support offer or impact entry, as the forms of the Records page send them.

Every save goes through the importer (``models.importer.import_file``) as a one-row file, so a form accepts
exactly what an import accepts and refuses it with the same sentences; the import log and the audit trail
record it. A ``record_changed`` audit event adds what changed: the table, the reference's database id and the
names of the fields that changed, never their values (equality answers stay out of the audit text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, time
from typing import Any

import polars as pl
from polars.datatypes import DataTypeClass
from sqlalchemy import Select, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from models import _tabular, audit
from models.importer import TABLES, ImportReport, import_file
from models.tables import Activity, Involvement, Meeting, Person, table_of

RECORD_CHANGED = "record_changed"
FORM_FILE = "form: {what}"
ATTENDANCE_CHOICES = ("attended", "apologies", "reserve")


class FormError(ValueError):
    """The form's values were refused; ``problems`` are the importer's, one sentence each."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date | time):
        return value.isoformat()[:5] if isinstance(value, time) else value.isoformat()
    return str(value)


def _sentences(report: ImportReport) -> list[str]:
    out = []
    for p in report.problems:
        value = f" '{p.value}'" if p.value not in (None, "") else ""
        label = (p.column or "the record").replace("_", " ")
        out.append(f"{label.capitalize()}{value} {p.problem}; accepted: {p.accepted}.")
    return out


def _before(engine: Engine, model: type[SQLModel], organisation_id: int, ref: str) -> dict[str, Any] | None:
    table = table_of(model)
    with engine.connect() as connection:
        row = connection.execute(
            select(table).where((table.c.organisation_id == organisation_id) & (table.c.ref == ref))
        ).mappings().first()
    return dict(row) if row is not None else None


def _save(
    *, engine: Engine, organisation: Mapping[str, Any], user: str, sheets: Sequence[tuple[str, dict[str, Any]]],
    what: str, rows_of: Mapping[str, Sequence[dict[str, Any]]] | None = None,
) -> ImportReport:
    """Write one or more tables (one row each, unless ``rows_of`` gives several) through the importer."""
    books = []
    for table, values in sheets:
        rows = list((rows_of or {}).get(table) or [values])
        headers = [c.name for c in TABLES[table].columns if any(c.name in r for r in rows)]
        books.append((table, headers, [[_cell(r.get(h)) for h in headers] for r in rows]))
    data = _tabular.xlsx_bytes(books)
    report = import_file(engine=engine, path_or_bytes=data, file_name=FORM_FILE.format(what=what) + ".xlsx",
                         organisation_code=organisation["code"], user=user, wording="web")
    if report.problems:
        raise FormError(_sentences(report))
    return report


def _audit_change(engine: Engine, *, user: str, organisation_id: int, table: str, model: type[SQLModel], ref: str,
                  before: dict[str, Any] | None) -> None:
    after = _before(engine, model, organisation_id, ref)
    if after is None:
        return
    skip = {"id", "organisation_id", "updated_at", "created_at"}
    changed = sorted(k for k in after if k not in skip and (before is None or before.get(k) != after.get(k)))
    audit.record_event(engine=engine, user=user, action=RECORD_CHANGED, organisation_id=organisation_id,
                       detail={"table": table, "record_id": after["id"], "added": before is None,
                               "fields": changed})


def save_person(*, engine: Engine, organisation: Mapping[str, Any], values: dict[str, Any], user: str) -> ImportReport:
    """Add or edit a person (by ``ref``)."""
    before = _before(engine, Person, organisation["id"], str(values.get("ref") or ""))
    report = _save(engine=engine, organisation=organisation, user=user, sheets=[("people", values)],
                   what="person")
    _audit_change(engine, user=user, organisation_id=organisation["id"], table="people", model=Person,
                  ref=str(values["ref"]).strip(), before=before)
    return report


def save_activity(*, engine: Engine, organisation: Mapping[str, Any], values: dict[str, Any],
                  user: str) -> ImportReport:
    before = _before(engine, Activity, organisation["id"], str(values.get("ref") or ""))
    report = _save(engine=engine, organisation=organisation, user=user, sheets=[("activities", values)],
                   what="activity")
    _audit_change(engine, user=user, organisation_id=organisation["id"], table="activities", model=Activity,
                  ref=str(values["ref"]).strip(), before=before)
    return report


def save_involvement(*, engine: Engine, organisation: Mapping[str, Any], values: dict[str, Any],
                     user: str) -> ImportReport:
    """A person joins an activity (start date), or leaves it (the same involvement with an end date)."""
    start = _cell(values.get("start_date"))
    ref = values.get("ref") or f"{values.get('person_ref')}|{values.get('activity_ref')}|{start}"
    values = {**values, "ref": ref}
    before = _before(engine, Involvement, organisation["id"], ref)
    report = _save(engine=engine, organisation=organisation, user=user, sheets=[("involvements", values)],
                   what="involvement")
    _audit_change(engine, user=user, organisation_id=organisation["id"], table="involvements", model=Involvement,
                  ref=ref, before=before)
    return report


def save_meeting(*, engine: Engine, organisation: Mapping[str, Any], meeting: dict[str, Any],
                 attendance: Mapping[str, str], user: str) -> ImportReport:
    """A meeting (ref, activity_ref, date, start_time, papers_sent) and its attendance: person ref -> attended,
    apologies or reserve (people not listed are not recorded)."""
    rows = [{"meeting_ref": meeting["ref"], "person_ref": ref, "status": status}
            for ref, status in attendance.items() if status in ATTENDANCE_CHOICES]
    sheets: list[tuple[str, dict[str, Any]]] = [("meetings", meeting)]
    if rows:
        sheets.append(("attendance", rows[0]))
    before = _before(engine, Meeting, organisation["id"], str(meeting.get("ref") or ""))
    report = _save(engine=engine, organisation=organisation, user=user, sheets=sheets, what="meeting",
                   rows_of={"attendance": rows})
    _audit_change(engine, user=user, organisation_id=organisation["id"], table="meetings", model=Meeting,
                  ref=str(meeting["ref"]).strip(), before=before)
    return report


def save_one(*, engine: Engine, organisation: Mapping[str, Any], table: str, values: dict[str, Any],
             user: str) -> ImportReport:
    """A payment, a support offer or an impact entry."""
    if table not in {"payments", "support", "impacts"}:
        raise ValueError(f"'{table}' is not a table this form writes.")
    report = _save(engine=engine, organisation=organisation, user=user, sheets=[(table, values)], what=table)
    audit.record_event(engine=engine, user=user, action=RECORD_CHANGED, organisation_id=organisation["id"],
                       detail={"table": table, "added": report.added, "updated": report.updated,
                               "fields": sorted(k for k, v in values.items() if v not in (None, ""))})
    return report


# --- What the forms choose from ---------------------------------------------------------------------------


def _frame(engine: Engine, query: Select[Any], schema: Mapping[str, pl.DataType | DataTypeClass]) -> pl.DataFrame:
    with engine.connect() as connection:
        rows = [tuple(r) for r in connection.execute(query)]
    return pl.DataFrame(rows, schema=schema, orient="row")


def people(*, engine: Engine, organisation_id: int) -> pl.DataFrame:
    """Every person of the organisation with their recorded fields (for the edit form; never cached)."""
    table = table_of(Person)
    names = [c.name for c in TABLES["people"].columns]
    schema = {n: (pl.Int64 if n == "year_of_birth" else pl.String) for n in names}
    return _frame(engine, select(*(table.c[n] for n in names)).where(table.c.organisation_id == organisation_id)
                  .order_by(table.c.ref), schema)


def activities(*, engine: Engine, organisation_id: int) -> pl.DataFrame:
    table = table_of(Activity)
    return _frame(engine, select(table.c.ref, table.c.name).where(table.c.organisation_id == organisation_id)
                  .order_by(table.c.name), {"ref": pl.String, "name": pl.String})


def members(*, engine: Engine, organisation_id: int, activity_ref: str, on: date | None = None) -> pl.DataFrame:
    """The people involved in an activity (on a date: joined by then and not left before it): person_ref,
    involvement ref, start_date, end_date, role."""
    inv, person, activity = table_of(Involvement), table_of(Person), table_of(Activity)
    query = (
        select(person.c.ref, inv.c.ref, inv.c.start_date, inv.c.end_date, inv.c.role)
        .join(person, person.c.id == inv.c.person_id)
        .join(activity, activity.c.id == inv.c.activity_id)
        .where((inv.c.organisation_id == organisation_id) & (activity.c.ref == activity_ref))
        .order_by(person.c.ref, inv.c.start_date)
    )
    if on is not None:
        query = query.where((inv.c.start_date <= on) & ((inv.c.end_date.is_(None)) | (inv.c.end_date >= on)))
    return _frame(engine, query, {"person_ref": pl.String, "ref": pl.String, "start_date": pl.Date,
                                  "end_date": pl.Date, "role": pl.String})


def meetings(*, engine: Engine, organisation_id: int, activity_ref: str) -> pl.DataFrame:
    meeting, activity = table_of(Meeting), table_of(Activity)
    return _frame(engine, select(meeting.c.ref, meeting.c.date, meeting.c.papers_sent)
                  .join(activity, activity.c.id == meeting.c.activity_id)
                  .where((meeting.c.organisation_id == organisation_id) & (activity.c.ref == activity_ref))
                  .order_by(meeting.c.date.desc()),
                  {"ref": pl.String, "date": pl.Date, "papers_sent": pl.Date})


def references(*, engine: Engine, organisation_id: int, table: str) -> list[str]:
    """The references of a table's records (for the delete form)."""
    from models.erasure import DELETABLE
    from models.tables import Attendance

    model = DELETABLE[table]
    if model is Attendance:
        att, meeting, person = table_of(Attendance), table_of(Meeting), table_of(Person)
        query = (select(meeting.c.ref, person.c.ref).join(meeting, meeting.c.id == att.c.meeting_id)
                 .join(person, person.c.id == att.c.person_id).where(att.c.organisation_id == organisation_id)
                 .order_by(meeting.c.ref, person.c.ref))
        with Session(engine) as session:
            return [f"{m}/{p}" for m, p in session.execute(query)]
    t = table_of(model)
    with Session(engine) as session:
        return [r[0] for r in session.execute(select(t.c.ref).where(t.c.organisation_id == organisation_id)
                                              .order_by(t.c.ref))]


def level_names(*, engine: Engine, organisation_id: int) -> list[tuple[str, str]]:
    """(key, name) of the organisation's levels, individual care first."""
    from models.tables import Level

    table = table_of(Level)
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(
            select(table.c.key, table.c.name).where(table.c.organisation_id == organisation_id).order_by(table.c.rank))]


def activity(*, engine: Engine, organisation_id: int, ref: str) -> dict[str, Any]:
    """One activity's fields as the activities table names them (``level`` is the level's key)."""
    from models.tables import Level

    table, level = table_of(Activity), table_of(Level)
    with engine.connect() as connection:
        row = connection.execute(
            select(table, level.c.key.label("level")).join(level, level.c.id == table.c.level_id)
            .where((table.c.organisation_id == organisation_id) & (table.c.ref == ref))
        ).mappings().first()
    return dict(row) if row is not None else {}
