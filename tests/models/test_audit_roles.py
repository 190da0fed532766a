"""Security review, finding 3 (PostgreSQL): the application's own database account cannot rewrite the audit
trail. Migrations run as the owner; ``presence init-db --app-role NAME`` gives the application role INSERT and
SELECT only on ``audit_event``, so it can neither switch the triggers off nor change or delete an event."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DatabaseError

from models import audit, users
from models.audit_chain import verify_chain
from models.crud import create_organisation
from models.db import get_engine, session_scope, upgrade_schema
from models.db_roles import grant_app_role
from models.settings import get_settings
from models.tables import OrganisationCreate
from presence_cli import main

TAMPERING = [
    "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change",
    "ALTER TABLE audit_event DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_event_no_change ON audit_event",
    "UPDATE audit_event SET action = 'forged'",
    "DELETE FROM audit_event",
    "TRUNCATE audit_event",
    "DROP TABLE audit_event",
    "ALTER TABLE audit_event OWNER TO CURRENT_USER",
    "CREATE TRIGGER sneaky BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
]


@pytest.fixture
def owner_and_app(fresh_pg_url, monkeypatch) -> Iterator[tuple[Engine, Engine, str]]:
    """The owner's engine (migrations), a new login role granted by ``presence init-db --app-role``, and
    an engine signed in as that role."""
    role = f"presence_app_{uuid.uuid4().hex[:10]}"
    owner = get_engine(fresh_pg_url)
    with owner.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
    monkeypatch.setenv("PRESENCE_DATABASE_URL", fresh_pg_url)
    get_settings.cache_clear()
    assert main(["init-db", "--app-role", role]) == 0
    app_url = make_url(fresh_pg_url).set(username=role).render_as_string(hide_password=False)
    app = get_engine(app_url)
    yield owner, app, role
    app.dispose()
    with owner.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"DROP OWNED BY {role}")
        connection.exec_driver_sql(f"DROP ROLE {role}")


def test_the_app_role_works_normally(owner_and_app):
    _, app, _ = owner_and_app
    upgrade_schema(app)  # the app checks the schema on start: at the newest revision it needs no rights
    with session_scope(app) as session:
        organisation = create_organisation(session=session, organisation=OrganisationCreate(code="A", name="A"))
        users.set_role(session=session, email="steward@a.org", organisation_id=organisation.id,
                       role="data_steward", actor="cli:test")
    audit.record_event(engine=app, user="steward@a.org", action=audit.EXPORT, organisation_id=organisation.id)
    assert audit.audit_frame(app, organisation_id=organisation.id).height == 2
    assert verify_chain(app).intact


def test_the_app_role_cannot_rewrite_the_audit_trail(owner_and_app):
    owner, app, _ = owner_and_app
    audit.record_event(engine=app, user="steward@a.org", action=audit.EXPORT, detail={"what": "x"})
    for statement in [*TAMPERING, "UPDATE alembic_version SET version_num = '0001'"]:
        with pytest.raises(DatabaseError, match="must be owner|permission denied"), app.begin() as connection:
            connection.exec_driver_sql(statement)
    with owner.connect() as connection:
        assert connection.execute(text("SELECT action FROM audit_event")).scalars().all() == ["export"]
    assert verify_chain(owner).intact


@pytest.mark.parametrize(
    "role,message",
    [
        ("root", "is a superuser"),
        ("nobody_like_this", "There is no PostgreSQL role 'nobody_like_this'"),
        ("Robert'); DROP TABLE person;--", "is not a PostgreSQL role name"),
    ],
)
def test_init_db_refuses_an_unsafe_app_role(pg_engine, role, message):
    with pytest.raises(ValueError, match=message):
        grant_app_role(pg_engine, role)


def test_init_db_app_role_needs_postgres(sqlite_engine):
    with pytest.raises(ValueError, match="needs a PostgreSQL database"):
        grant_app_role(sqlite_engine, "presence_app")
