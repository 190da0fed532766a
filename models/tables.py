"""SQLModel tables of Presence.

People are pseudonymous: a person is an organisation-scoped reference (``ref``) with equality-monitoring fields,
never a name or contact detail. Every record that an import can bring in has an organisation-scoped ``ref`` so
that re-importing a file updates rather than duplicates. Coded fields are checked by the database itself.

Families follow the fastapi template: ``PersonBase`` holds the shared fields, ``Person`` is the table,
``PersonCreate`` is what data functions take.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, Index, LargeBinary, Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from data import characteristics as registry
from data import codes


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def row_id(row: _Row) -> int:
    """A written row's primary key: SQLModel types ``id`` as ``int | None`` because it is ``None`` until the row is
    flushed to the database; after that it is the row's id."""
    if row.id is None:
        raise ValueError(f"This {type(row).__name__} has not been written to the database yet, so it has no id.")
    return row.id


def _now() -> datetime:
    return datetime.now(UTC)


def _one_of(table: str, column: str, values: Iterable[str]) -> CheckConstraint:
    """A CHECK constraint that keeps a coded column inside its code list."""
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=f"ck_{table}_{column}")


def table_of(model: type[SQLModel]) -> Table:
    """The SQLAlchemy ``Table`` of a table model (SQLModel does not declare ``__table__`` to type checkers)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


# --- Organisation and its levels ---------------------------------------------------------------------------

class OrganisationBase(SQLModel):
    code: str = Field(max_length=40, description="Short unique code, e.g. an NHS trust code.")
    name: str = Field(max_length=200)


class Organisation(OrganisationBase, table=True):
    __tablename__ = "organisation"
    __table_args__ = (UniqueConstraint("code", name="uq_organisation_code"),)

    id: int | None = Field(default=None, primary_key=True)
    catchment: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False),
        description="ONS local-authority codes of the area served.",
    )
    created_at: datetime = Field(default_factory=_now)


class OrganisationCreate(OrganisationBase):
    catchment: list[str] = Field(default_factory=list)


class LevelBase(SQLModel):
    rank: int = Field(ge=1, description="1 = individual care ... highest = board.")
    key: str = Field(max_length=40)
    name: str = Field(max_length=120)
    decision_making: bool = False


class Level(LevelBase, table=True):
    __tablename__ = "level"
    __table_args__ = (
        UniqueConstraint("organisation_id", "rank", name="uq_level_rank"),
        UniqueConstraint("organisation_id", "key", name="uq_level_key"),
        CheckConstraint("rank >= 1", name="ck_level_rank"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")


# --- Activities: committees, projects, programmes -------------------------------------------------------

class ActivityBase(SQLModel):
    ref: str = Field(max_length=80, description="Organisation-scoped reference, e.g. 'QSC-01'.")
    name: str = Field(max_length=200)
    kind: str = Field("committee", max_length=20)
    involvement_area: str = Field(max_length=1, description="4PI area A-E.")
    involves: str = Field("both", max_length=20, description="service_user, carer or both.")
    purpose: str | None = Field(default=None, max_length=2000)
    intended_outcomes: str | None = Field(default=None, max_length=2000)
    purpose_recorded_on: date | None = None
    high_level: bool = False
    start_date: date
    end_date: date | None = None


class Activity(ActivityBase, table=True):
    __tablename__ = "activity"
    __table_args__ = (
        UniqueConstraint("organisation_id", "ref", name="uq_activity_ref"),
        _one_of("activity", "kind", codes.ACTIVITY_KINDS),
        _one_of("activity", "involvement_area", codes.INVOLVEMENT_AREAS),
        _one_of("activity", "involves", codes.INVOLVEMENT_TYPES),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ck_activity_dates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    level_id: int = Field(foreign_key="level.id", index=True)


class ActivityCreate(ActivityBase):
    level_key: str


# --- People (pseudonymous) ---------------------------------------------------------------------------------

class PersonBase(SQLModel):
    ref: str = Field(max_length=80, description="Pseudonymous, organisation-scoped reference.")
    involvement_type: str = Field(max_length=20)
    ethnicity: str = Field(codes.ETHNICITY_NOT_KNOWN, max_length=2)
    sex: str = Field(codes.NOT_KNOWN, max_length=20)
    gender_same_as_birth: str = Field(codes.NOT_KNOWN, max_length=20)
    age_band: str = Field(codes.NOT_KNOWN, max_length=20)
    year_of_birth: int | None = Field(default=None, ge=1900, le=2100)
    disability: str = Field(codes.NOT_KNOWN, max_length=20)
    sexual_orientation: str = Field(codes.NOT_KNOWN, max_length=20)
    religion: str = Field(codes.NOT_KNOWN, max_length=20)
    local_authority: str = Field(codes.NOT_KNOWN, max_length=20, description="ONS code, or not_stated/not_known.")


class Person(PersonBase, table=True):
    __tablename__ = "person"
    __table_args__ = (
        UniqueConstraint("organisation_id", "ref", name="uq_person_ref"),
        _one_of("person", "involvement_type", codes.INVOLVEMENT_TYPES),
        _one_of("person", "ethnicity", codes.ETHNICITY_CODES),
        _one_of("person", "sex", codes.SEX),
        _one_of("person", "gender_same_as_birth", codes.GENDER_SAME_AS_BIRTH),
        _one_of("person", "age_band", codes.AGE_BANDS),
        _one_of("person", "disability", codes.DISABILITY),
        _one_of("person", "sexual_orientation", codes.SEXUAL_ORIENTATION),
        _one_of("person", "religion", codes.RELIGION),
        Index("ix_person_org_ethnicity", "organisation_id", "ethnicity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    updated_at: datetime = Field(default_factory=_now)


class PersonCreate(PersonBase):
    pass


# --- Involvement: a person in an activity, over a span of time -----------------------------------------

class InvolvementBase(SQLModel):
    ref: str = Field(max_length=200, description="Organisation-scoped reference of this involvement.")
    role: str = Field("expert_by_experience", max_length=30)
    payment_basis: str = Field("voluntary", max_length=20)
    has_role_description: bool = False
    start_date: date
    end_date: date | None = None


class Involvement(InvolvementBase, table=True):
    __tablename__ = "involvement"
    __table_args__ = (
        UniqueConstraint("organisation_id", "ref", name="uq_involvement_ref"),
        _one_of("involvement", "role", codes.INVOLVEMENT_ROLES),
        _one_of("involvement", "payment_basis", codes.PAYMENT_BASES),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ck_involvement_dates"),
        Index("ix_involvement_activity_dates", "activity_id", "start_date", "end_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    activity_id: int = Field(foreign_key="activity.id", index=True, ondelete="CASCADE")


# --- Meetings and attendance --------------------------------------------------------------------------------

class MeetingBase(SQLModel):
    ref: str = Field(max_length=120)
    date: date
    start_time: time | None = None
    papers_sent: dt.date | None = None  # ``dt.date``: inside this class ``date`` names the field above


class Meeting(MeetingBase, table=True):
    __tablename__ = "meeting"
    __table_args__ = (
        UniqueConstraint("organisation_id", "ref", name="uq_meeting_ref"),
        Index("ix_meeting_activity_date", "activity_id", "date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    activity_id: int = Field(foreign_key="activity.id", index=True, ondelete="CASCADE")


class AttendanceBase(SQLModel):
    capacity: str = Field("service_user", max_length=20)
    status: str = Field("attended", max_length=20)


class Attendance(AttendanceBase, table=True):
    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id", name="uq_attendance_meeting_person"),
        _one_of("attendance", "capacity", codes.ATTENDANCE_CAPACITIES),
        _one_of("attendance", "status", codes.ATTENDANCE_STATUSES),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")


# --- Population baselines -----------------------------------------------------------------------------------

class BaselineBase(SQLModel):
    source: str = Field(max_length=80, description="e.g. 'census2021', 'caseload', 'mha_detentions'.")
    year: int
    geography_code: str = Field(max_length=20)
    geography_name: str = Field(max_length=200)
    characteristic: str = Field(max_length=40)
    group: str = Field(max_length=120)
    count: float = Field(ge=0)


class Baseline(BaselineBase, table=True):
    __tablename__ = "baseline"
    __table_args__ = (
        UniqueConstraint("organisation_id", "source", "year", "geography_code", "characteristic", "group",
                         name="uq_baseline_cell"),
        Index("ix_baseline_lookup", "source", "geography_code", "characteristic"),
        CheckConstraint("count >= 0", name="ck_baseline_count"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, ondelete="CASCADE",
        description="None for shipped reference baselines; set for a baseline an organisation supplies.",
    )


# --- 4PI Process and Impact -------------------------------------------------------------------------------

class Payment(SQLModel, table=True):
    __tablename__ = "payment"
    __table_args__ = (
        UniqueConstraint("organisation_id", "ref", name="uq_payment_ref"),
        _one_of("payment", "kind", codes.PAYMENT_KINDS),
        CheckConstraint("paid_date IS NULL OR paid_date >= claim_date", name="ck_payment_dates"),
        CheckConstraint("amount >= 0", name="ck_payment_amount"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    ref: str = Field(max_length=120)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    activity_id: int | None = Field(default=None, foreign_key="activity.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)
    claim_date: date
    paid_date: date | None = None
    amount: Decimal = Field(max_digits=10, decimal_places=2)


class SupportOffer(SQLModel, table=True):
    __tablename__ = "support_offer"
    __table_args__ = (
        UniqueConstraint("organisation_id", "person_id", "kind", "offered_on", name="uq_support_offer"),
        _one_of("support_offer", "kind", codes.SUPPORT_KINDS),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)
    offered_on: date
    taken_up: bool = False


class ImpactLog(SQLModel, table=True):
    __tablename__ = "impact_log"
    __table_args__ = (
        UniqueConstraint("organisation_id", "ref", name="uq_impact_ref"),
        _one_of("impact_log", "area", codes.IMPACT_AREAS),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    ref: str = Field(max_length=120)
    activity_id: int = Field(foreign_key="activity.id", index=True, ondelete="CASCADE")
    recorded_on: date
    area: str = Field(max_length=30)
    what_changed: str = Field(max_length=2000)
    evidence: str | None = Field(default=None, max_length=2000)


class Feedback(SQLModel, table=True):
    """End-of-involvement questionnaire; anonymous (no person link) so people can answer freely."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("organisation_id", "ref", name="uq_feedback_ref"),
        _one_of("feedback", "felt_valued", codes.FEEDBACK_ANSWERS),
        _one_of("feedback", "could_influence", codes.FEEDBACK_ANSWERS),
        _one_of("feedback", "informed_of_outcomes", codes.FEEDBACK_ANSWERS),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    ref: str = Field(max_length=120)
    activity_id: int = Field(foreign_key="activity.id", index=True, ondelete="CASCADE")
    submitted_on: date
    felt_valued: str = Field(codes.NOT_KNOWN, max_length=20, description="How people felt about the process.")
    could_influence: str = Field(codes.NOT_KNOWN, max_length=20)
    informed_of_outcomes: str = Field(codes.NOT_KNOWN, max_length=20)


class ReviewStep(SQLModel, table=True):
    """A completed step of an activity's Act-Evaluate-Reflect-Learn cycle."""

    __tablename__ = "review_step"
    __table_args__ = (
        UniqueConstraint("activity_id", "cycle", "stage", name="uq_review_step"),
        _one_of("review_step", "stage", codes.REVIEW_STAGES),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    activity_id: int = Field(foreign_key="activity.id", index=True, ondelete="CASCADE")
    cycle: int = Field(1, ge=1)
    stage: str = Field(max_length=10)
    completed_on: date


# --- Users, roles, audit and import log ------------------------------------------------------------------

class AppUser(SQLModel, table=True):
    __tablename__ = "app_user"
    __table_args__ = (UniqueConstraint("email", name="uq_app_user_email"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    active: bool = True
    created_at: datetime = Field(default_factory=_now)


class UserRole(SQLModel, table=True):
    __tablename__ = "user_role"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id", name="uq_user_role"),
        _one_of("user_role", "role", codes.USER_ROLES),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=20)


class NetworkGrant(SQLModel, table=True):
    """A network viewer's grant: the user sees the published figures of every organisation in the scope
    (``scope_kind`` one of ``data.codes.NETWORK_SCOPES``; ``scope_value`` an ICB's NHS code, a region key, an
    organisation code, or '' for all). The organisations are worked out when the user signs in, so an
    organisation added to an ICB later is covered."""

    __tablename__ = "network_grant"
    __table_args__ = (
        UniqueConstraint("user_id", "scope_kind", "scope_value", name="uq_network_grant"),
        _one_of("network_grant", "scope_kind", codes.NETWORK_SCOPES),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    scope_kind: str = Field(max_length=20)
    scope_value: str = Field(default="", max_length=40)
    created_at: datetime = Field(default_factory=_now)


class AuditEvent(SQLModel, table=True):
    """Append-only: rows are only ever inserted (triggers refuse UPDATE, DELETE and, on SQLite, REPLACE).

    Each row carries the hash of the row before it (``prev_hash``) and its own (``row_hash``), set by
    ``models.audit`` when the row is inserted, so ``presence audit verify`` detects a changed, removed or
    inserted row even when the database owner made the change.
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("uq_audit_event_prev_hash", "prev_hash", unique=True),)  # no forks in the chain

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=_now, index=True)
    user: str = Field(max_length=254)
    action: str = Field(max_length=40, index=True)
    organisation_id: int | None = Field(default=None, index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str | None = Field(default=None, max_length=64)
    row_hash: str | None = Field(default=None, max_length=64)


class ImportLog(SQLModel, table=True):
    __tablename__ = "import_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=_now, index=True)
    user: str = Field(max_length=254)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    file_name: str = Field(max_length=400)
    table_name: str = Field(max_length=40)
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    committed: bool = False


class ColumnMapping(SQLModel, table=True):
    """A column heading an organisation's files use that Presence does not know, and what it means: a field
    of an import table, or "ignore". Remembered so that the next import of the same register needs no
    mapping step."""

    __tablename__ = "column_mapping"
    __table_args__ = (UniqueConstraint("organisation_id", "table_name", "header", name="uq_column_mapping"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    table_name: str = Field(max_length=40)
    header: str = Field(max_length=200, description="The heading as folded for matching (case, spaces).")
    field: str = Field(max_length=60, description="A field of the table, or 'ignore'.")
    updated_at: datetime = Field(default_factory=_now)


ALL_TABLES: tuple[type[SQLModel], ...] = (
    Organisation, Level, Activity, Person, Involvement, Meeting, Attendance, Baseline,
    Payment, SupportOffer, ImpactLog, Feedback, ReviewStep, AppUser, UserRole, NetworkGrant, AuditEvent,
    ImportLog, ColumnMapping,
)


# --- Change detection ----------------------------------------------------------------------------------------


class DataChange(SQLModel, table=True):
    """A change counter per organisation and table: every write that changes analysed records (an import, a
    form, the demo, the reference baselines) adds one in its own transaction (``models.db.bump_data_version``).
    The dashboard reads these few rows instead of counting tables, and reloads only the tables that changed.
    Organisation 0 holds changes that belong to no organisation (the list of organisations, reference
    baselines). No foreign key: the counters outlive a deleted organisation, so a version never repeats."""

    __tablename__ = "data_change"

    organisation_id: int = Field(primary_key=True)
    table_name: str = Field(primary_key=True, max_length=40)
    version: int = Field(default=0, sa_type=BigInteger)
    # ``version`` at the last change that updated or deleted rows; a change that only added rows leaves it, so a
    # reader holding the table as of a version at or after it may append the rows with a higher id instead.
    rewritten: int = Field(default=0, sa_type=BigInteger)


# --- Outreach plans -------------------------------------------------------------------------------------------

PLAN_STATUSES = {
    "open": "Open",
    "on_track": "On track",
    "behind": "Behind",
    "met": "Met",
    "dropped": "Dropped",
}
PLAN_CHARACTERISTICS = {c.key: c.label for c in registry.REGISTRY}  # one declaration each, in data/
PLAN_INVOLVEMENT = {"all": "Service users and carers", "service_user": "Service users", "carer": "Carers"}


class OutreachPlan(SQLModel, table=True):
    """A plan to close one gap: a group at a level (or on one committee of it), with a target in people by a
    date, an owner (a user's email, or a team in words), notes and a status. Progress is measured from the
    involvement records, never typed in."""

    __tablename__ = "outreach_plan"
    __table_args__ = (
        UniqueConstraint("organisation_id", "ref", name="uq_outreach_plan_ref"),
        _one_of("outreach_plan", "status", PLAN_STATUSES),
        _one_of("outreach_plan", "characteristic", PLAN_CHARACTERISTICS),
        _one_of("outreach_plan", "involvement", PLAN_INVOLVEMENT),
        CheckConstraint("target_people >= 1", name="ck_outreach_plan_target"),
        CheckConstraint("target_date > started_on", name="ck_outreach_plan_dates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    ref: str = Field(max_length=80, description="Organisation-scoped reference, e.g. 'OP-001'.")
    title: str = Field(max_length=200)
    characteristic: str = Field(max_length=40)
    group: str = Field(max_length=120, description="A group code of the characteristic, e.g. 'Black'.")
    involvement: str = Field("all", max_length=20, description="all, service_user or carer.")
    level_id: int = Field(foreign_key="level.id", index=True)
    activity_id: int | None = Field(
        default=None, foreign_key="activity.id", index=True, ondelete="SET NULL",
        description="A committee or project of the level, when the gap is there rather than level-wide.",
    )
    target_people: int = Field(ge=1, description="More people of the group to have involved, net of leavers.")
    started_on: date
    target_date: date
    owner_email: str | None = Field(default=None, max_length=254, description="A Presence user who owns it.")
    owner_team: str | None = Field(default=None, max_length=200, description="Or a team, in words.")
    status: str = Field("open", max_length=20)
    notes: str | None = Field(default=None, max_length=4000)
    updated_at: datetime = Field(default_factory=_now)


class PlanPartner(SQLModel, table=True):
    """A community partner organisation of a plan: its name and the role of the contact, never a person's name
    or contact details."""

    __tablename__ = "plan_partner"
    __table_args__ = (UniqueConstraint("plan_id", "name", name="uq_plan_partner_name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    plan_id: int = Field(foreign_key="outreach_plan.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    contact_role: str | None = Field(default=None, max_length=200, description="e.g. 'Community development'.")


class PlanAction(SQLModel, table=True):
    """One step of a plan, optionally with a partner, due by a date; done when ``done_on`` is set."""

    __tablename__ = "plan_action"
    __table_args__ = (UniqueConstraint("plan_id", "action", name="uq_plan_action"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    plan_id: int = Field(foreign_key="outreach_plan.id", index=True, ondelete="CASCADE")
    action: str = Field(max_length=300)
    partner: str | None = Field(default=None, max_length=200)
    due_date: date
    done_on: date | None = None


ALL_TABLES = ALL_TABLES + (OutreachPlan, PlanPartner, PlanAction)


# --- Stored network aggregates ----------------------------------------------------------------------------------


class NetworkAggregate(SQLModel, table=True):
    """One part (Arrow IPC bytes, or JSON for the description) of an organisation's published network aggregates
    for one aggregate key, with the organisation's data version it was computed from (``models/aggregates.py``).
    Only published (disclosure-controlled) figures: never records or exact counts. Derived data: not backed up,
    not in ``ALL_TABLES``; deleted with the organisation."""

    __tablename__ = "network_aggregate"

    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True, ondelete="CASCADE")
    aggregate_key: str = Field(primary_key=True, max_length=200)
    part: str = Field(primary_key=True, max_length=40)
    data_version: str = Field(sa_type=Text)
    payload: bytes = Field(sa_type=LargeBinary)
    computed_at: datetime = Field(default_factory=_now)
