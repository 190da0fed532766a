"""Outreach plans: create and edit them, their community partners and actions; every change audited.

A plan closes one gap (a group at a level, or on one committee of it) with a target in people by a date. Its
progress is measured from the records by :mod:`analytics.outreach_plans`; here are only the writes. Each
function is one transaction: the change and its audit event are written together or not at all. The audit
detail names the plan by its reference and the fields that changed (old and new values, except notes, whose
text stays out of the audit trail).

Partners are organisations: a name and the role of the contact ("Community development worker"), never a
person's name, email or telephone number (refused with :data:`ERROR_PERSONAL`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from pydantic import field_validator
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from models import audit
from models.db import session_scope
from models.tables import (
    PLAN_CHARACTERISTICS,
    PLAN_INVOLVEMENT,
    PLAN_STATUSES,
    Activity,
    AppUser,
    Level,
    OutreachPlan,
    PlanAction,
    PlanPartner,
    row_id,
)

__all__ = [
    "PLAN_AUDIT_ACTIONS",
    "PlanCreate",
    "add_action",
    "add_partner",
    "create_plan",
    "next_plan_ref",
    "remove_action",
    "remove_partner",
    "set_statuses",
    "update_action",
    "update_plan",
]

PLAN_CREATED = "plan_created"
PLAN_UPDATED = "plan_updated"
PLAN_STATUS_SET = "plan_status_set"
PARTNER_ADDED = "plan_partner_added"
PARTNER_REMOVED = "plan_partner_removed"
ACTION_ADDED = "plan_action_added"
ACTION_UPDATED = "plan_action_updated"
ACTION_REMOVED = "plan_action_removed"
PLAN_AUDIT_ACTIONS = (
    PLAN_CREATED, PLAN_UPDATED, PLAN_STATUS_SET, PARTNER_ADDED, PARTNER_REMOVED, ACTION_ADDED, ACTION_UPDATED,
    ACTION_REMOVED,
)

ERROR_NO_PLAN = "There is no outreach plan '{ref}' in this organisation."
ERROR_NO_LEVEL = "There is no level '{level}' in this organisation."
ERROR_NO_ACTIVITY = "There is no activity '{activity}' in this organisation."
ERROR_ACTIVITY_LEVEL = "The activity '{activity}' is at another level than '{level}'."
ERROR_DATES = "The target date ({target}) must be after the start of the plan ({start})."
ERROR_TARGET = "The target must be at least 1 more person."
ERROR_TITLE = "A plan needs a title."
ERROR_OWNER_USER = "'{email}' is not a Presence user; choose a user or write the team instead."
ERROR_STATUS = "'{status}' is not a plan status; use one of: {allowed}."
ERROR_FIELD = "'{field}' is not something a plan has."
ERROR_PERSONAL = (
    "'{value}' looks like personal contact details (an email address or a telephone number); record the "
    "organisation and the contact's role only."
)
ERROR_PARTNER_NAME = "A partner needs the name of the organisation."
ERROR_PARTNER_TAKEN = "The plan already has a partner called '{name}'."
ERROR_NO_PARTNER = "The plan has no partner called '{name}'."
ERROR_ACTION_TEXT = "An action needs a description."
ERROR_ACTION_TAKEN = "The plan already has the action '{action}'."
ERROR_NO_ACTION = "The plan has no action '{action}'."

_PERSONAL = re.compile(r"@|\+?\d[\d\s()-]{6,}\d")
EDITABLE = (
    "title", "characteristic", "group", "involvement", "level_key", "activity_ref", "target_people",
    "started_on", "target_date", "owner_email", "owner_team", "status", "notes",
)


class PlanCreate(SQLModel):
    """What a new plan needs (the level by its key, the committee by its reference)."""

    title: str
    characteristic: str
    group: str
    involvement: str = "all"
    level_key: str
    activity_ref: str | None = None
    target_people: int
    started_on: date
    target_date: date
    owner_email: str | None = None
    owner_team: str | None = None
    status: str = "open"
    notes: str | None = None

    @field_validator("characteristic")
    @classmethod
    def _characteristic(cls, value: str) -> str:
        if value not in PLAN_CHARACTERISTICS:
            raise ValueError(f"'{value}' is not a characteristic a plan can target.")
        return value

    @field_validator("involvement")
    @classmethod
    def _involvement(cls, value: str) -> str:
        if value not in PLAN_INVOLVEMENT:
            raise ValueError(f"'{value}' must be one of: {', '.join(PLAN_INVOLVEMENT)}.")
        return value


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _check_personal(value: str | None) -> None:
    if value and _PERSONAL.search(value):
        raise ValueError(ERROR_PERSONAL.format(value=value))


def _plan(session: Session, organisation_id: int, ref: str) -> OutreachPlan:
    found = session.exec(
        select(OutreachPlan).where(OutreachPlan.organisation_id == organisation_id, OutreachPlan.ref == ref)
    ).first()
    if found is None:
        raise ValueError(ERROR_NO_PLAN.format(ref=ref))
    return found


def _level_id(session: Session, organisation_id: int, key: str) -> int:
    found = session.exec(select(Level.id).where(Level.organisation_id == organisation_id, Level.key == key)).first()
    if found is None:
        raise ValueError(ERROR_NO_LEVEL.format(level=key))
    return int(found)


def _activity_id(session: Session, organisation_id: int, ref: str | None, level_id: int, level_key: str) -> int | None:
    if ref is None:
        return None
    found = session.exec(
        select(Activity).where(Activity.organisation_id == organisation_id, Activity.ref == ref)
    ).first()
    if found is None:
        raise ValueError(ERROR_NO_ACTIVITY.format(activity=ref))
    if found.level_id != level_id:
        raise ValueError(ERROR_ACTIVITY_LEVEL.format(activity=ref, level=level_key))
    return row_id(found)


def _check_owner(session: Session, email: str | None) -> None:
    if email is None:
        return
    if session.exec(select(AppUser.id).where(AppUser.email == email)).first() is None:
        raise ValueError(ERROR_OWNER_USER.format(email=email))


def _check_plan(values: dict[str, Any]) -> None:
    if not values.get("title"):
        raise ValueError(ERROR_TITLE)
    if int(values["target_people"]) < 1:
        raise ValueError(ERROR_TARGET)
    if values["target_date"] <= values["started_on"]:
        raise ValueError(ERROR_DATES.format(target=values["target_date"], start=values["started_on"]))
    if values["status"] not in PLAN_STATUSES:
        raise ValueError(ERROR_STATUS.format(status=values["status"], allowed=", ".join(PLAN_STATUSES)))
    _check_personal(values.get("owner_team"))


def next_plan_ref(*, session: Session, organisation_id: int) -> str:
    """The next free reference OP-001, OP-002 ... of the organisation."""
    refs = session.exec(select(OutreachPlan.ref).where(OutreachPlan.organisation_id == organisation_id)).all()
    numbers = [int(r[3:]) for r in refs if r.startswith("OP-") and r[3:].isdigit()]
    return f"OP-{max(numbers, default=0) + 1:03d}"


def create_plan(*, engine: Engine, organisation_id: int, plan: PlanCreate, user: str, ref: str | None = None) -> str:
    """Add a plan (with the next free reference unless ``ref`` is given); returns its reference."""
    values = {k: _blank_to_none(v) for k, v in plan.model_dump().items()}
    values["status"] = values["status"] or "open"
    _check_plan(values)
    with session_scope(engine) as session:
        level_id = _level_id(session, organisation_id, values["level_key"])
        activity_id = _activity_id(session, organisation_id, values["activity_ref"], level_id, values["level_key"])
        _check_owner(session, values["owner_email"])
        ref = ref or next_plan_ref(session=session, organisation_id=organisation_id)
        fields = {k: v for k, v in values.items() if k not in {"level_key", "activity_ref"}}
        session.add(
            OutreachPlan(
                organisation_id=organisation_id, ref=ref, level_id=level_id, activity_id=activity_id, **fields
            )
        )
        session.flush()
        audit.record_event(
            session=session, user=user, action=PLAN_CREATED, organisation_id=organisation_id,
            detail={"plan": ref, "fields": _audit_values({k: v for k, v in values.items() if v is not None})},
        )
    return ref


def _audit_values(values: dict[str, Any]) -> dict[str, Any]:
    """Values for the audit detail; the notes' text stays out of the audit trail."""
    return {k: ("(changed)" if k == "notes" else v) for k, v in values.items()}


def _current(session: Session, plan: OutreachPlan) -> dict[str, Any]:
    level = session.get(Level, plan.level_id)
    activity = session.get(Activity, plan.activity_id) if plan.activity_id else None
    values = {k: getattr(plan, k) for k in EDITABLE if hasattr(plan, k)}
    values["level_key"] = level.key if level else None
    values["activity_ref"] = activity.ref if activity else None
    return values


def update_plan(*, engine: Engine, organisation_id: int, ref: str, changes: dict[str, Any], user: str) -> list[str]:
    """Change some fields of a plan (names as in :class:`PlanCreate`); returns the fields that changed (an
    unchanged form writes nothing and leaves no audit event)."""
    unknown = [k for k in changes if k not in EDITABLE]
    if unknown:
        raise ValueError(ERROR_FIELD.format(field=unknown[0]))
    with session_scope(engine) as session:
        plan = _plan(session, organisation_id, ref)
        before = _current(session, plan)
        after = before | {k: _blank_to_none(v) for k, v in changes.items()}
        changed = [k for k in EDITABLE if after[k] != before[k]]
        if not changed:
            return []
        PlanCreate.model_validate(after)
        _check_plan(after)
        level_id = _level_id(session, organisation_id, after["level_key"])
        plan.activity_id = _activity_id(session, organisation_id, after["activity_ref"], level_id, after["level_key"])
        plan.level_id = level_id
        if "owner_email" in changed:
            _check_owner(session, after["owner_email"])
        for name in changed:
            if name not in {"level_key", "activity_ref"}:
                setattr(plan, name, after[name])
        plan.updated_at = datetime.now(UTC)
        session.add(plan)
        session.flush()
        audit.record_event(
            session=session, user=user, action=PLAN_UPDATED, organisation_id=organisation_id,
            detail={
                "plan": ref,
                "changes": {k: ["(text)", "(text)"] if k == "notes" else [before[k], after[k]] for k in changed},
            },
        )
    return changed


def set_statuses(*, engine: Engine, organisation_id: int, statuses: dict[str, str], user: str = audit.SYSTEM_USER,
                 reason: str = "measured progress") -> int:
    """Write plan statuses decided from the records (``{ref: status}``); only those that change, each with an
    audit event saying why. Returns how many changed."""
    changed = 0
    with session_scope(engine) as session:
        for ref, status in statuses.items():
            if status not in PLAN_STATUSES:
                raise ValueError(ERROR_STATUS.format(status=status, allowed=", ".join(PLAN_STATUSES)))
            plan = _plan(session, organisation_id, ref)
            if plan.status == status:
                continue
            audit.record_event(
                session=session, user=user, action=PLAN_STATUS_SET, organisation_id=organisation_id,
                detail={"plan": ref, "from": plan.status, "to": status, "reason": reason},
            )
            plan.status = status
            plan.updated_at = datetime.now(UTC)
            session.add(plan)
            changed += 1
    return changed


def add_partner(*, engine: Engine, organisation_id: int, plan_ref: str, name: str, contact_role: str | None,
                user: str) -> None:
    """Add a community partner organisation to a plan."""
    name, contact_role = _blank_to_none(name), _blank_to_none(contact_role)
    if not name:
        raise ValueError(ERROR_PARTNER_NAME)
    _check_personal(name)
    _check_personal(contact_role)
    with session_scope(engine) as session:
        plan = _plan(session, organisation_id, plan_ref)
        taken = session.exec(select(PlanPartner).where(PlanPartner.plan_id == plan.id, PlanPartner.name == name))
        if taken.first() is not None:
            raise ValueError(ERROR_PARTNER_TAKEN.format(name=name))
        session.add(PlanPartner(organisation_id=organisation_id, plan_id=row_id(plan), name=name,
                                contact_role=contact_role))
        audit.record_event(
            session=session, user=user, action=PARTNER_ADDED, organisation_id=organisation_id,
            detail={"plan": plan_ref, "partner": name, "contact_role": contact_role},
        )


def remove_partner(*, engine: Engine, organisation_id: int, plan_ref: str, name: str, user: str) -> None:
    with session_scope(engine) as session:
        plan = _plan(session, organisation_id, plan_ref)
        found = session.exec(
            select(PlanPartner).where(PlanPartner.plan_id == plan.id, PlanPartner.name == name)
        ).first()
        if found is None:
            raise ValueError(ERROR_NO_PARTNER.format(name=name))
        session.delete(found)
        audit.record_event(
            session=session, user=user, action=PARTNER_REMOVED, organisation_id=organisation_id,
            detail={"plan": plan_ref, "partner": name},
        )


def add_action(*, engine: Engine, organisation_id: int, plan_ref: str, action: str, due_date: date,
               partner: str | None = None, user: str) -> None:
    """Add an action (optionally with one of the plan's partners), due by a date."""
    action, partner = _blank_to_none(action), _blank_to_none(partner)
    if not action:
        raise ValueError(ERROR_ACTION_TEXT)
    with session_scope(engine) as session:
        plan = _plan(session, organisation_id, plan_ref)
        if partner is not None and session.exec(
            select(PlanPartner.id).where(PlanPartner.plan_id == plan.id, PlanPartner.name == partner)
        ).first() is None:
            raise ValueError(ERROR_NO_PARTNER.format(name=partner))
        taken = session.exec(select(PlanAction.id).where(PlanAction.plan_id == plan.id, PlanAction.action == action))
        if taken.first() is not None:
            raise ValueError(ERROR_ACTION_TAKEN.format(action=action))
        session.add(PlanAction(organisation_id=organisation_id, plan_id=row_id(plan), action=action, partner=partner,
                               due_date=due_date))
        audit.record_event(
            session=session, user=user, action=ACTION_ADDED, organisation_id=organisation_id,
            detail={"plan": plan_ref, "action": action, "partner": partner, "due_date": due_date},
        )


def _action(session: Session, plan: OutreachPlan, action: str) -> PlanAction:
    found = session.exec(select(PlanAction).where(PlanAction.plan_id == plan.id, PlanAction.action == action)).first()
    if found is None:
        raise ValueError(ERROR_NO_ACTION.format(action=action))
    return found


def update_action(*, engine: Engine, organisation_id: int, plan_ref: str, action: str, user: str,
                  due_date: date | None = None, done_on: date | None = None, undone: bool = False) -> None:
    """Move an action's due date, mark it done on a date, or (``undone``) not done after all."""
    with session_scope(engine) as session:
        plan = _plan(session, organisation_id, plan_ref)
        row = _action(session, plan, action)
        changes: dict[str, list[Any]] = {}
        if due_date is not None and due_date != row.due_date:
            changes["due_date"] = [row.due_date, due_date]
            row.due_date = due_date
        new_done = None if undone else (done_on or row.done_on)
        if new_done != row.done_on:
            changes["done_on"] = [row.done_on, new_done]
            row.done_on = new_done
        if not changes:
            return
        session.add(row)
        audit.record_event(
            session=session, user=user, action=ACTION_UPDATED, organisation_id=organisation_id,
            detail={"plan": plan_ref, "action": action, "changes": changes},
        )


def remove_action(*, engine: Engine, organisation_id: int, plan_ref: str, action: str, user: str) -> None:
    with session_scope(engine) as session:
        plan = _plan(session, organisation_id, plan_ref)
        session.delete(_action(session, plan, action))
        audit.record_event(
            session=session, user=user, action=ACTION_REMOVED, organisation_id=organisation_id,
            detail={"plan": plan_ref, "action": action},
        )
