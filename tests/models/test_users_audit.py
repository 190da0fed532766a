"""Users, roles and the append-only audit trail, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from models import audit, users
from models.crud import create_organisation
from models.db import session_scope
from models.tables import AppUser, OrganisationCreate


def _organisations(engine, *codes: str) -> list[int]:
    with session_scope(engine) as session:
        return [
            create_organisation(session=session, organisation=OrganisationCreate(code=code, name=code)).id
            for code in codes
        ]


def _email(name: str) -> str:
    return f"{name}.{uuid.uuid4().hex[:8]}@example.org"


def test_set_role_creates_the_user_and_records_who_did_it(engine):
    (org,) = _organisations(engine, "A")
    email = _email("Lead")
    with session_scope(engine) as session:
        users.set_role(
            session=session,
            email=email.upper(),
            organisation_id=org,
            role="equality_lead",
            actor="cli:steward",
        )
    with Session(engine) as session:
        assert users.roles_for(session=session, email=email) == {org: "equality_lead"}
    events = audit.audit_frame(engine, organisation_id=org, action=audit.ROLE_GRANTED)
    mine = events.filter(events["detail"].str.contains(email.lower()))
    assert mine.height == 1
    assert mine["user"][0] == "cli:steward"
    assert '"role": "equality_lead"' in mine["detail"][0] and '"previous_role": null' in mine["detail"][0]


def test_roles_are_per_organisation_and_replace_each_other(engine):
    a, b = _organisations(engine, "A", "B")
    email = _email("board")
    with session_scope(engine) as session:
        users.add_user(session=session, email=email, organisation_id=a, role="board_member", actor="t")
        users.set_role(session=session, email=email, organisation_id=a, role="viewer", actor="t")
        users.set_role(session=session, email=email, organisation_id=b, role="outreach_worker", actor="t")
    assert users.roles_for_email(engine, email) == {a: "viewer", b: "outreach_worker"}
    with session_scope(engine) as session:
        assert users.remove_role(session=session, email=email, organisation_id=a, actor="t") is True
        assert users.remove_role(session=session, email=email, organisation_id=a, actor="t") is False
    assert users.roles_for_email(engine, email) == {b: "outreach_worker"}


def test_unknown_suspended_and_malformed_users_have_no_roles(engine):
    (org,) = _organisations(engine, "A")
    email = _email("someone")
    with session_scope(engine) as session:
        users.set_role(session=session, email=email, organisation_id=org, role="viewer", actor="t")
        users.set_active(session=session, email=email, active=False, actor="t")
    assert users.roles_for_email(engine, email) == {}
    assert users.roles_for_email(engine, "nobody@example.org") == {}
    assert users.roles_for_email(engine, "") == {}
    assert users.roles_for_email(engine, None) == {}
    assert users.roles_for_email(engine, "not an email") == {}
    with session_scope(engine) as session:
        users.set_active(session=session, email=email, active=True, actor="t")
    assert users.roles_for_email(engine, email) == {org: "viewer"}


@pytest.mark.parametrize(
    "email",
    [
        "x@y.org' OR '1'='1",
        "' OR 1=1 --@example.org",
        "a@b.org; DROP TABLE app_user; --",
        "robert'); DROP TABLE user_role;--@example.org",
    ],
)
def test_sql_injection_looking_emails_are_only_text(engine, email):
    (org,) = _organisations(engine, "A")
    real = _email("real")
    with session_scope(engine) as session:
        users.set_role(session=session, email=real, organisation_id=org, role="data_steward", actor="t")
    assert users.roles_for_email(engine, email) == {}  # no row matches, nothing is run
    with Session(engine) as session:
        assert session.get(AppUser, 1) is not None  # the table is still there
        assert users.roles_for(session=session, email=real) == {org: "data_steward"}
    events = audit.audit_frame(engine, user=email)  # a filter is a bound parameter too
    assert events.height == 0


@pytest.mark.parametrize(
    "email,message",
    [
        ("", "is not an email address"),
        ("no-at-sign", "is not an email address"),
        ("two@@example.org", "is not an email address"),
        ("=cmd|' /C calc'!A0@example.org", "is not an email address"),
        ("=1+1@example.org", "is not an email address"),
        ("@SUM(A1)@example.org", "is not an email address"),
        ("a" * 250 + "@example.org", "is not an email address"),
    ],
)
def test_bad_emails_are_refused(engine, email, message):
    (org,) = _organisations(engine, "A")
    with session_scope(engine) as session, pytest.raises(ValueError, match=message):
        users.set_role(session=session, email=email, organisation_id=org, role="viewer", actor="t")


def test_bad_role_and_organisation_are_refused(engine):
    (org,) = _organisations(engine, "A")
    with session_scope(engine) as session, pytest.raises(ValueError, match="'admin' is not a role"):
        users.set_role(session=session, email=_email("x"), organisation_id=org, role="admin", actor="t")
    with session_scope(engine) as session, pytest.raises(ValueError, match="no organisation with id 999"):
        users.set_role(session=session, email=_email("x"), organisation_id=999, role="viewer", actor="t")


def test_the_last_data_steward_cannot_be_removed(engine):
    (org,) = _organisations(engine, "A")
    first, second = _email("first"), _email("second")
    with session_scope(engine) as session:
        users.set_role(session=session, email=first, organisation_id=org, role="data_steward", actor="t")
    with session_scope(engine) as session, pytest.raises(ValueError, match="last data steward"):
        users.set_role(session=session, email=first, organisation_id=org, role="viewer", actor="t")
    with session_scope(engine) as session, pytest.raises(ValueError, match="last data steward"):
        users.remove_user(session=session, email=first, actor="t")
    with session_scope(engine) as session:
        users.set_role(session=session, email=second, organisation_id=org, role="data_steward", actor="t")
        assert users.remove_user(session=session, email=first, actor="t") == 1
    assert users.roles_for_email(engine, first) == {}
    removed = audit.audit_frame(engine, action=audit.USER_REMOVED)
    assert removed.filter(removed["detail"].str.contains(first)).height == 1


def test_users_frame_lists_only_the_asked_organisations(engine):
    a, b = _organisations(engine, "A", "B")
    in_a, in_b = _email("in-a"), _email("in-b")
    with session_scope(engine) as session:
        users.set_role(session=session, email=in_a, organisation_id=a, role="viewer", actor="t")
        users.set_role(session=session, email=in_b, organisation_id=b, role="viewer", actor="t")
        listed = users.users_frame(session=session, organisation_ids=[a])
    assert listed["email"].to_list() == [in_a]
    assert listed["organisation_code"].to_list() == ["A"]
    assert listed["role_label"].to_list() == ["Viewer"]


def test_record_and_read_events(engine):
    a, b = _organisations(engine, "A", "B")
    who = _email("importer")
    first = audit.record_event(
        engine=engine,
        user=who,
        action=audit.IMPORT,
        organisation_id=a,
        detail={"file": "people.csv", "rows": 120, "on": datetime(2024, 1, 2, tzinfo=UTC)},
    )
    second = audit.record_event(
        engine=engine, user=who, action=audit.DOWNLOAD, organisation_id=b, detail={"what": "board pack"}
    )
    assert second > first
    mine = audit.audit_frame(engine, user=who)
    assert mine["action"].to_list() == [audit.DOWNLOAD, audit.IMPORT]  # newest first
    assert mine["organisation_id"].to_list() == [b, a]
    assert '"file": "people.csv"' in mine["detail"][1] and "2024-01-02" in mine["detail"][1]
    only_a = audit.audit_frame(engine, organisation_id=a, user=who)
    assert only_a["action"].to_list() == [audit.IMPORT]
    recent = audit.audit_frame(engine, user=who, since=datetime.now(UTC) - timedelta(minutes=5), limit=1)
    assert recent.height == 1
    assert set(mine.columns) == set(audit.AUDIT_COLUMNS)


def test_global_events_only_when_asked(engine):
    (a,) = _organisations(engine, "A")
    who = _email("signin")
    audit.record_event(engine=engine, user=who, action=audit.SIGN_IN)
    assert audit.audit_frame(engine, organisation_id=a, user=who).height == 0
    assert audit.audit_frame(engine, organisation_id=a, user=who, include_global=True).height == 1


def test_event_joins_the_transaction_it_records(engine):
    who = _email("rolled-back")
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        audit.record_event(session=session, user=who, action=audit.EXPORT)
        raise RuntimeError("the export failed")
    assert audit.audit_frame(engine, user=who).height == 0


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"action": "Drop Table"}, "is not a lower-case word"),
        ({"action": "x" * 41}, "is not a lower-case word"),
        ({"user": "  "}, "needs the user who acted"),
        ({"detail": {"blob": "x" * 5000}}, "at most 4000 characters"),
        ({"detail": {"thing": object()}}, "must be a small JSON object"),
        ({"detail": ["not", "a", "mapping"]}, "must be a small JSON object"),
    ],
)
def test_bad_events_are_refused(engine, kwargs, message):
    arguments = {"user": "someone@example.org", "action": audit.EXPORT} | kwargs
    with pytest.raises(ValueError, match=message):
        audit.record_event(engine=engine, **arguments)


def test_record_event_needs_one_target(engine):
    with pytest.raises(ValueError, match="exactly one of engine= or session="):
        audit.record_event(user="a@example.org", action=audit.EXPORT)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET user = 'someone else' WHERE id = :id",
        "DELETE FROM audit_event WHERE id = :id",
    ],
)
def test_the_audit_trail_is_append_only(engine, statement):
    event = audit.record_event(engine=engine, user=_email("x"), action=audit.EXPORT)
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement.replace("user", '"user"')), {"id": event})
    again = audit.audit_frame(engine, limit=10_000)
    assert event in again["id"].to_list()
