"""Security review, finding 2, on the Admin page itself: a steward of A cannot suspend someone who also
belongs to B, nor the last active steward of A; the refusal is a sentence on the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from dashboard import auth, cache
from models import users
from models.crud import create_organisation
from models.db import get_engine, session_scope, upgrade_schema
from models.settings import get_settings
from models.tables import OrganisationCreate

ADMIN = str(Path(__file__).resolve().parents[2] / "dashboard" / "views" / "admin.py")


@pytest.fixture
def trusts():
    engine = get_engine(get_settings().database_url)
    upgrade_schema(engine)
    with session_scope(engine) as session:
        a = create_organisation(session=session, organisation=OrganisationCreate(code="A", name="Trust A")).id
        b = create_organisation(session=session, organisation=OrganisationCreate(code="B", name="Trust B")).id
        for email, organisation, role in (
            ("steward@a.org", a, "data_steward"),
            ("steward@b.org", b, "data_steward"),
            ("both@a.org", a, "viewer"),
            ("both@a.org", b, "data_steward"),
        ):
            users.set_role(session=session, email=email, organisation_id=organisation, role=role, actor="setup")
    return engine, a


def _suspend(monkeypatch, a: int, who: str) -> AppTest:
    monkeypatch.setattr(auth, "is_local_mode", lambda settings=None: False)
    monkeypatch.setattr(auth, "current_user", lambda: "steward@a.org")
    at = AppTest.from_file(ADMIN, default_timeout=60)
    at.session_state["filters"] = cache.Filters(organisation_id=a, organisation_name="Trust A")
    at.run()
    user = next(s for s in at.selectbox if s.label == "User")
    user.select(who)
    next(r for r in at.radio if r.label == "Change").set_value("suspend")
    next(b for b in at.button if b.label == "Apply").click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_admin_page_cannot_suspend_someone_who_also_belongs_elsewhere(monkeypatch, trusts):
    engine, a = trusts
    at = _suspend(monkeypatch, a, "both@a.org")
    assert "also has a role in B, where you are not a data steward" in at.error[0].value
    with Session(engine) as session:
        assert users.roles_for(session=session, email="both@a.org")  # still active


def test_the_admin_page_cannot_suspend_the_last_steward(monkeypatch, trusts):
    engine, a = trusts
    at = _suspend(monkeypatch, a, "steward@a.org")
    assert "is the last active data steward of A" in at.error[0].value
    with Session(engine) as session:
        assert users.roles_for(session=session, email="steward@a.org")


def test_the_admin_page_grants_and_takes_away_a_network_view_of_its_own_organisation(monkeypatch, trusts):
    from analytics import roles
    from models import audit

    engine, a = trusts
    monkeypatch.setattr(auth, "is_local_mode", lambda settings=None: False)
    monkeypatch.setattr(auth, "current_user", lambda: "steward@a.org")
    at = AppTest.from_file(ADMIN, default_timeout=60)
    at.session_state["filters"] = cache.Filters(organisation_id=a, organisation_name="Trust A")
    at.run()
    assert "No network viewer covers this organisation." in [i.value for i in at.info]
    next(t for t in at.text_input if t.label == "Email address" and t.key == "network_email").input("ICB@x.org")
    assert next(s for s in at.selectbox if s.key == "network_value").options == ["Trust A"]  # only A: not B
    next(b for b in at.button if b.label == "Make them a network viewer").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "icb@x.org is now a network viewer of organisation A." in [s.value for s in at.success]
    assert roles.resolve_viewer(engine, "icb@x.org").roles == {a: "network_viewer"}
    events = audit.audit_frame(engine, user="steward@a.org", action=audit.ROLE_GRANTED)
    assert "network_viewer" in events["detail"].to_list()[0]
    next(b for b in at.button if b.label == "Take this grant away").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert roles.resolve_viewer(engine, "icb@x.org").roles == {}
