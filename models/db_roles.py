"""Two PostgreSQL roles: the owner runs the migrations, the application runs with less.

The owner of ``audit_event`` can switch its append-only triggers off (``ALTER TABLE ... DISABLE TRIGGER``), so
the account the dashboard uses must not own it. ``presence init-db --app-role NAME``, run with the owner's
``PRESENCE_DATABASE_URL``, migrates the schema and then gives the application role exactly what it needs:

- SELECT, INSERT, UPDATE, DELETE on the data tables and USAGE on their sequences;
- SELECT and INSERT only on ``audit_event`` (no UPDATE, DELETE, TRUNCATE, TRIGGER or REFERENCES);
- SELECT only on ``alembic_version``;
- the same on the tables of later migrations (``ALTER DEFAULT PRIVILEGES``); run it again after an upgrade.

It refuses a role that does not exist, a superuser, the owner itself, or a role that owns a Presence table,
because each of those could still disable the triggers. SQLite has no roles: there, the hash chain
(``presence audit verify``) is the protection.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Engine

from models.tables import AuditEvent

ROLE_PATTERN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
AUDIT_TABLE = AuditEvent.__tablename__
READ_ONLY_TABLES = ("alembic_version",)

ERROR_NOT_POSTGRES = (
    "--app-role needs a PostgreSQL database (PRESENCE_DATABASE_URL); SQLite has no database roles, so the "
    "audit trail there is protected by its hash chain (presence audit verify)."
)
ERROR_ROLE_NAME = "'{role}' is not a PostgreSQL role name Presence accepts (lower-case letters, digits and _)."
ERROR_NO_ROLE = (
    "There is no PostgreSQL role '{role}': create it first, as an administrator, with "
    "CREATE ROLE {role} LOGIN PASSWORD '...'; (see SECURITY.md)."
)
ERROR_SAME_ROLE = (
    "'{role}' is the role running the migrations (the owner); the application needs a role of its own, "
    "or it could switch the audit trail's triggers off."
)
ERROR_SUPERUSER = "'{role}' is a superuser, who could switch the audit trail's triggers off; use an ordinary role."
ERROR_OWNS_TABLES = (
    "'{role}' owns Presence tables ({tables}), so it could switch the audit trail's triggers off; "
    "give them to the owner role first (ALTER TABLE ... OWNER TO ...)."
)


def grant_app_role(engine: Engine, role: str) -> list[str]:
    """Give ``role`` the application's rights on the current schema; returns the statements run."""
    if engine.dialect.name != "postgresql":
        raise ValueError(ERROR_NOT_POSTGRES)
    if not isinstance(role, str) or not ROLE_PATTERN.match(role):
        raise ValueError(ERROR_ROLE_NAME.format(role=str(role)[:64]))
    with engine.begin() as connection:
        found = connection.execute(
            text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role}
        ).first()
        if found is None:
            raise ValueError(ERROR_NO_ROLE.format(role=role))
        if role == connection.execute(text("SELECT current_user")).scalar_one():
            raise ValueError(ERROR_SAME_ROLE.format(role=role))
        if found.rolsuper:
            raise ValueError(ERROR_SUPERUSER.format(role=role))
        owned = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tableowner = :role"),
            {"role": role},
        ).scalars().all()
        if owned:
            raise ValueError(ERROR_OWNS_TABLES.format(role=role, tables=", ".join(sorted(owned)[:5])))
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        quote = connection.dialect.identifier_preparer.quote
        r, s = quote(role), quote(schema)
        statements = [
            f"GRANT CONNECT ON DATABASE {quote(database)} TO {r}",
            f"GRANT USAGE ON SCHEMA {s} TO {r}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
            f"REVOKE ALL ON {quote(AUDIT_TABLE)} FROM {r}",
            f"GRANT SELECT, INSERT ON {quote(AUDIT_TABLE)} TO {r}",
            *(f"REVOKE ALL ON {quote(t)} FROM {r}" for t in READ_ONLY_TABLES),
            *(f"GRANT SELECT ON {quote(t)} TO {r}" for t in READ_ONLY_TABLES),
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {r}",
        ]
        for statement in statements:
            connection.exec_driver_sql(statement)
    return statements
