"""The audit trail cannot be rewritten unnoticed: a hash chain over its rows, and no REPLACE on SQLite.

- ``prev_hash`` and ``row_hash`` columns; the rows already there are chained in id order (the append-only
  trigger is set aside for that, inside this migration's transaction, and put back).
- A unique index on ``prev_hash``: the chain cannot fork.
- SQLite: a BEFORE INSERT trigger refuses a row whose id is already used, so ``INSERT OR REPLACE`` and
  ``REPLACE INTO`` can no longer overwrite an event (SQLite's delete triggers do not fire on REPLACE), and a row
  with no hash (written around Presence). PostgreSQL: the hash columns are NOT NULL.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQLITE_NO_UPDATE = (
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
)
SQLITE_NO_REPLACE = (
    "CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event "
    "WHEN NEW.row_hash IS NULL OR NEW.prev_hash IS NULL "
    "OR EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: an event cannot be replaced or written unchained'); "
    "END"
)


def _chain_existing_rows(connection: sa.Connection) -> None:
    from models.audit_chain import GENESIS, row_hash

    table = sa.table(
        "audit_event",
        sa.column("id", sa.Integer),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("user", sa.String),
        sa.column("action", sa.String),
        sa.column("organisation_id", sa.Integer),
        sa.column("detail", sa.JSON),
        sa.column("prev_hash", sa.String),
        sa.column("row_hash", sa.String),
    )
    previous = GENESIS
    rows = connection.execute(sa.select(table).order_by(table.c.id)).all()
    for row in rows:
        digest = row_hash(
            id=row.id,
            at=row.at,
            user=row.user,
            action=row.action,
            organisation_id=row.organisation_id,
            detail=row.detail,
            prev_hash=previous,
        )
        connection.execute(
            table.update().where(table.c.id == row.id).values(prev_hash=previous, row_hash=digest)
        )
        previous = digest


def upgrade() -> None:
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"
    op.add_column("audit_event", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_event", sa.Column("row_hash", sa.String(length=64), nullable=True))
    if postgres:
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
        _chain_existing_rows(connection)
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change")
        op.alter_column("audit_event", "prev_hash", nullable=False)
        op.alter_column("audit_event", "row_hash", nullable=False)
    else:
        op.execute("DROP TRIGGER audit_event_no_update")
        _chain_existing_rows(connection)
        op.execute(SQLITE_NO_UPDATE)
        op.execute(SQLITE_NO_REPLACE)
    op.create_index("uq_audit_event_prev_hash", "audit_event", ["prev_hash"], unique=True)


def downgrade() -> None:
    connection = op.get_bind()
    op.drop_index("uq_audit_event_prev_hash", table_name="audit_event")
    if connection.dialect.name == "postgresql":
        op.drop_column("audit_event", "row_hash")
        op.drop_column("audit_event", "prev_hash")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_replace")
    op.execute("ALTER TABLE audit_event DROP COLUMN row_hash")
    op.execute("ALTER TABLE audit_event DROP COLUMN prev_hash")
