"""The Outreach page in Streamlit's AppTest: the demo plans show their measured status, a plan is started from a
gap with one click, a partner and an action are added, and every change is in the audit trail."""

from __future__ import annotations

import json

import pytest

from models.audit import audit_frame
from models.db import get_engine
from tests.dashboard.test_app_pages import demo_db, demo_file, open_page, texts  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_demo_plans_show_their_measured_status(demo_db):  # noqa: F811
    at = open_page("outreach")
    assert not at.exception, [e.value for e in at.exception]
    labels = [e.label for e in at.expander]
    assert any(label.startswith("OP-001") and label.endswith("On track") for label in labels), labels
    assert any(label.startswith("OP-002") and label.endswith("Behind") for label in labels), labels
    assert "Plan draft" in texts(at) and "Recruit " in texts(at)


def test_start_a_plan_from_a_gap_then_add_a_partner_and_an_action(demo_db):  # noqa: F811
    at = open_page("outreach")
    start = [b for b in at.button if b.key and b.key.startswith("start_plan_")]
    assert start, "no gap offers a plan"
    start[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    new = [e for e in at.expander if e.label.startswith("OP-003")]
    assert new, [e.label for e in at.expander]
    at.text_input(key="partner_name_OP-003").input("Peckham Community Forum (fictional)")
    at.text_input(key="partner_role_OP-003").input("Coordinator")
    next(b for b in at.button if b.label == "Add partner" and "OP-003" in str(b.proto.form_id)).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    at.text_input(key="action_text_OP-003").input("Meet the forum")
    next(b for b in at.button if b.label == "Add action" and "OP-003" in str(b.proto.form_id)).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    shown = texts(at)
    assert "OP-003" in " ".join(e.label for e in at.expander) and shown
    events = audit_frame(get_engine(f"sqlite:///{demo_db}"))
    actions = events.get_column("action").to_list()
    assert {"plan_created", "plan_partner_added", "plan_action_added"} <= set(actions)
    details = [json.loads(d) for d in events.get_column("detail").to_list()]
    assert any(d.get("partner") == "Peckham Community Forum (fictional)" for d in details)


def test_a_partner_with_an_email_address_is_refused(demo_db):  # noqa: F811
    at = open_page("outreach")
    at.text_input(key="partner_name_OP-001").input("Someone")
    at.text_input(key="partner_role_OP-001").input("jane@example.org")
    next(b for b in at.button if b.label == "Add partner" and "OP-001" in str(b.proto.form_id)).click().run()
    assert any("personal contact details" in e.value for e in at.error)


def test_the_working_list_has_plan_columns(demo_db):  # noqa: F811
    at = open_page("outreach")
    working = at.dataframe[-1].value  # the working list is the last table on the page
    assert {"Plan", "Plan status", "Plan target (people)", "Plan by", "Plan owner", "Evidence"} <= set(working)
    row = working[working["Activity"] == "Mental Health Strategy Board"].iloc[0]
    assert (row["Plan"], row["Plan status"], row["Plan owner"]) == ("OP-002", "Behind", "Equality and Inclusion Team")


def test_the_recruitment_plan_is_solved_once_per_scope_and_filters(demo_db, monkeypatch):  # noqa: F811
    """Solving takes seconds for a large trust, so a rerun with the same filters reads the cached plan; the
    cached plan is the one a fresh solve gives."""
    from analytics import recruitment
    from dashboard.cache import _plans

    _plans._recruitment.clear()  # another test may have solved these filters already
    solved = []
    real = recruitment.solve_recruitment

    def counting(problem):
        solved.append(problem.capacity)
        return real(problem)

    monkeypatch.setattr(recruitment, "solve_recruitment", counting)
    at = open_page("outreach")
    assert not at.exception, [e.value for e in at.exception]
    first = len(solved)
    assert first >= 1
    at.run()  # the same filters again
    assert not at.exception, [e.value for e in at.exception]
    assert len(solved) == first
