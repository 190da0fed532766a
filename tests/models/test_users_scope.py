"""Security review, finding 2: user management is scoped to the acting steward's organisations, and the
last active data steward can be neither removed nor suspended. On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session

from models import audit, users
from models.crud import create_organisation
from models.db import session_scope
from models.tables import OrganisationCreate


def _email(name: str) -> str:
    return f"{name}.{uuid.uuid4().hex[:8]}@example.org"


@pytest.fixture
def two_trusts(engine):
    """Organisations A and B, each with one data steward; a viewer in A; someone in both."""
    people = {
        "steward_a": _email("steward-a"),
        "steward_b": _email("steward-b"),
        "viewer_a": _email("viewer-a"),
        "both": _email("both"),
    }
    with session_scope(engine) as session:
        a = create_organisation(session=session, organisation=OrganisationCreate(code="A", name="A")).id
        b = create_organisation(session=session, organisation=OrganisationCreate(code="B", name="B")).id
        for key, organisation, role in (
            ("steward_a", a, "data_steward"),
            ("steward_b", b, "data_steward"),
            ("viewer_a", a, "viewer"),
            ("both", a, "viewer"),
            ("both", b, "viewer"),
        ):
            users.set_role(session=session, email=people[key], organisation_id=organisation, role=role,
                           actor="setup")
    return engine, a, b, people


def _active(engine, email: str) -> bool:
    with Session(engine) as session:
        return bool(users.roles_for(session=session, email=email))


def test_a_steward_cannot_suspend_the_last_steward_of_another_organisation(two_trusts):
    engine, _, _, people = two_trusts
    with pytest.raises(ValueError, match="also has a role in B, where you are not a data steward"):
        with session_scope(engine) as session:
            users.set_active(session=session, email=people["steward_b"], active=False,
                             actor=people["steward_a"])
    assert _active(engine, people["steward_b"])


def test_the_admin_page_scope_is_enforced_too(two_trusts):
    """The Admin page passes the viewer's steward organisations as scope=; B is not among A's."""
    engine, a, _, people = two_trusts
    with pytest.raises(ValueError, match="where you are not a data steward"):
        with session_scope(engine) as session:
            users.set_active(session=session, email=people["steward_b"], active=False,
                             actor=people["steward_a"], scope=[a])
    assert _active(engine, people["steward_b"])


def test_a_steward_cannot_suspend_someone_who_also_belongs_elsewhere(two_trusts):
    engine, _, _, people = two_trusts
    with pytest.raises(ValueError, match="also has a role in B"):
        with session_scope(engine) as session:
            users.set_active(session=session, email=people["both"], active=False, actor=people["steward_a"])
    assert _active(engine, people["both"])


def test_a_steward_can_suspend_and_restore_their_own_users(two_trusts):
    engine, a, _, people = two_trusts
    with session_scope(engine) as session:
        users.set_active(session=session, email=people["viewer_a"], active=False, actor=people["steward_a"])
    assert not _active(engine, people["viewer_a"])
    with session_scope(engine) as session:
        users.set_active(session=session, email=people["viewer_a"], active=True, actor=people["steward_a"])
    assert _active(engine, people["viewer_a"])
    changed = audit.audit_frame(engine, organisation_id=a, action=audit.USER_ACTIVE_CHANGED)
    assert changed.filter(changed["detail"].str.contains(people["viewer_a"])).height == 2


def test_the_last_active_steward_cannot_be_suspended(two_trusts):
    engine, _, _, people = two_trusts
    for actor in (people["steward_a"], "cli:operator"):  # not by themselves, not even at the command line
        with pytest.raises(ValueError, match="is the last active data steward of A"):
            with session_scope(engine) as session:
                users.set_active(session=session, email=people["steward_a"], active=False, actor=actor)
    assert _active(engine, people["steward_a"])


def test_a_steward_can_be_suspended_once_there_is_another(two_trusts):
    engine, a, _, people = two_trusts
    second = _email("second")
    with session_scope(engine) as session:
        users.set_role(session=session, email=second, organisation_id=a, role="data_steward",
                       actor=people["steward_a"])
        users.set_active(session=session, email=people["steward_a"], active=False, actor=second)
    assert not _active(engine, people["steward_a"])
    # now `second` is the last active steward of A
    with pytest.raises(ValueError, match="last active data steward of A"):
        with session_scope(engine) as session:
            users.set_active(session=session, email=second, active=False, actor="cli:operator")


@pytest.mark.parametrize("action", ["grant", "remove", "remove_user"])
def test_a_steward_cannot_change_roles_in_another_organisation(two_trusts, action):
    engine, _, b, people = two_trusts
    with pytest.raises(ValueError, match="not a data steward of organisation B"):
        with session_scope(engine) as session:
            if action == "grant":
                users.set_role(session=session, email=_email("spy"), organisation_id=b, role="data_steward",
                               actor=people["steward_a"])
            elif action == "remove":
                users.remove_role(session=session, email=people["both"], organisation_id=b,
                                  actor=people["steward_a"])
            else:
                users.remove_user(session=session, email=people["both"], actor=people["steward_a"])
    with Session(engine) as session:
        assert b in users.roles_for(session=session, email=people["both"])


def test_a_suspended_steward_can_no_longer_manage_users(two_trusts):
    engine, a, _, people = two_trusts
    second = _email("second")
    with session_scope(engine) as session:
        users.set_role(session=session, email=second, organisation_id=a, role="data_steward", actor="setup")
        users.set_active(session=session, email=second, active=False, actor=people["steward_a"])
    with pytest.raises(ValueError, match="not a data steward of organisation A"):
        with session_scope(engine) as session:
            users.set_role(session=session, email=_email("x"), organisation_id=a, role="viewer", actor=second)


def test_someone_with_no_steward_role_cannot_manage_anyone(two_trusts):
    engine, a, _, people = two_trusts
    with pytest.raises(ValueError, match="not a data steward of organisation A"):
        with session_scope(engine) as session:
            users.set_role(session=session, email=_email("x"), organisation_id=a, role="data_steward",
                           actor=people["viewer_a"])
