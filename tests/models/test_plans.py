"""Outreach plans in the database: created, edited, with partners and actions, every change audited, personal
data refused, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models import crud
from models import plans as p
from models.audit import audit_frame
from models.db import session_scope
from models.tables import Activity, AppUser, OrganisationCreate, OutreachPlan


@pytest.fixture
def organisation(engine) -> int:
    """A new organisation; the audit events already in the database (PostgreSQL keeps its append-only trail
    across the tests of a session) are set aside."""
    global _BEFORE
    ids = audit_frame(engine, limit=1).get_column("id").to_list()
    _BEFORE = ids[0] if ids else 0
    with session_scope(engine) as session:
        org = crud.create_organisation(session=session, organisation=OrganisationCreate(code="T", name="Trust"))
        levels = crud.levels_by_key(session=session, organisation_id=org.id)
        session.add(Activity(organisation_id=org.id, level_id=levels["strategic"].id, ref="SB",
                             name="Strategy Board", involvement_area="D", start_date=date(2020, 1, 1)))
        session.add(AppUser(email="lead@trust.example"))
        return org.id


def draft(**changes) -> p.PlanCreate:
    values = {"title": "2 more Black people on the Strategy Board by 2027-Q2", "characteristic": "ethnicity_broad",
              "group": "Black or Black British", "level_key": "strategic", "activity_ref": "SB",
              "target_people": 2, "started_on": date(2026, 1, 1), "target_date": date(2027, 6, 30)} | changes
    return p.PlanCreate(**values)


_BEFORE = 0


def events(engine, organisation_id):
    frame = audit_frame(engine, organisation_id).filter(pl.col("id") > _BEFORE)
    return [(a, json.loads(d)) for a, d in frame.select("action", "detail").rows()][::-1]


def test_create_edit_partner_action_each_audited(engine, organisation):
    store = {"engine": engine, "organisation_id": organisation}
    assert p.create_plan(**store, plan=draft(), user="a@x") == "OP-001"
    assert p.create_plan(**store, plan=draft(activity_ref=None, group="Asian or Asian British"), user="a@x") == "OP-002"
    assert p.update_plan(**store, ref="OP-001", changes={"target_people": 3, "owner_team": "Engagement",
                                                         "notes": "private words"}, user="b@x") == [
        "target_people", "owner_team", "notes"]
    assert p.update_plan(**store, ref="OP-001", changes={"target_people": 3}, user="b@x") == []  # no change
    p.add_partner(**store, plan_ref="OP-001", name="Network (fictional)", contact_role="Outreach lead", user="c@x")
    p.add_action(**store, plan_ref="OP-001", action="Open day", due_date=date(2027, 1, 31),
                 partner="Network (fictional)", user="c@x")
    p.update_action(**store, plan_ref="OP-001", action="Open day", done_on=date(2026, 3, 1), user="c@x")
    assert p.set_statuses(**store, statuses={"OP-001": "behind", "OP-002": "open"}) == 1
    p.remove_action(**store, plan_ref="OP-001", action="Open day", user="c@x")
    p.remove_partner(**store, plan_ref="OP-001", name="Network (fictional)", user="c@x")
    trail = events(engine, organisation)
    assert [a for a, _ in trail] == [
        "plan_created", "plan_created", "plan_updated", "plan_partner_added", "plan_action_added",
        "plan_action_updated", "plan_status_set", "plan_action_removed", "plan_partner_removed",
    ]
    update = trail[2][1]
    assert update["changes"]["target_people"] == [2, 3] and "private words" not in json.dumps(update)
    assert trail[6][1] == {"plan": "OP-001", "from": "open", "to": "behind", "reason": "measured progress"}
    with Session(engine) as session:
        plan = session.get(OutreachPlan, 1)
        assert (plan.target_people, plan.owner_team, plan.status) == (3, "Engagement", "behind")


@pytest.mark.parametrize("changes,message", [
    ({"target_date": date(2025, 12, 31)}, "must be after the start"),
    ({"target_people": 0}, "at least 1"),
    ({"title": "  "}, "needs a title"),
    ({"level_key": "nowhere"}, "no level 'nowhere'"),
    ({"level_key": "board"}, "at another level"),
    ({"activity_ref": "NOPE"}, "no activity 'NOPE'"),
    ({"owner_email": "nobody@x"}, "not a Presence user"),
    ({"owner_team": "call 020 7946 0000"}, "personal contact details"),
    ({"status": "finished"}, "not a plan status"),
])
def test_bad_plans_are_refused_with_a_sentence(engine, organisation, changes, message):
    with pytest.raises(ValueError, match=message):
        p.create_plan(engine=engine, organisation_id=organisation, plan=draft(**changes), user="a@x")
    assert events(engine, organisation) == []


def test_an_owner_can_be_a_user(engine, organisation):
    ref = p.create_plan(engine=engine, organisation_id=organisation, plan=draft(owner_email="lead@trust.example"),
                        user="a@x")
    assert ref == "OP-001"


@pytest.mark.parametrize("name,role", [
    ("Jane Doe", "jane.doe@example.org"),
    ("Forum", "+44 7700 900123"),
])
def test_partners_hold_no_contact_details(engine, organisation, name, role):
    p.create_plan(engine=engine, organisation_id=organisation, plan=draft(), user="a@x")
    with pytest.raises(ValueError, match="personal contact details"):
        p.add_partner(engine=engine, organisation_id=organisation, plan_ref="OP-001", name=name, contact_role=role,
                      user="a@x")


def test_duplicates_and_unknown_partners_are_refused(engine, organisation):
    store = {"engine": engine, "organisation_id": organisation}
    p.create_plan(**store, plan=draft(), user="a@x")
    p.add_partner(**store, plan_ref="OP-001", name="Forum", contact_role=None, user="a@x")
    with pytest.raises(ValueError, match="already has a partner"):
        p.add_partner(**store, plan_ref="OP-001", name="Forum", contact_role=None, user="a@x")
    with pytest.raises(ValueError, match="no partner called 'Other'"):
        p.add_action(**store, plan_ref="OP-001", action="x", due_date=date(2027, 1, 1), partner="Other", user="a@x")
    with pytest.raises(ValueError, match="no outreach plan 'OP-009'"):
        p.add_partner(**store, plan_ref="OP-009", name="Forum", contact_role=None, user="a@x")


def test_the_database_refuses_a_status_outside_the_list(engine, organisation):
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(OutreachPlan(organisation_id=organisation, ref="X", title="x", characteristic="sex",
                                 group="female", level_id=1, target_people=1, started_on=date(2026, 1, 1),
                                 target_date=date(2027, 1, 1), status="finished"))
