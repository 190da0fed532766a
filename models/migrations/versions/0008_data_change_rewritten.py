"""Which changes only added rows: ``data_change.rewritten`` is the counter's value at the last change that
updated or deleted rows of the table (an import that only added rows leaves it as it was), so the dashboard can
append the new rows (id above the last one read) instead of reading the whole table again (issue 16).

Existing counters count as rewritten at their current value (nothing is known about their past).

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("data_change", sa.Column("rewritten", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute("UPDATE data_change SET rewritten = version")


def downgrade() -> None:
    with op.batch_alter_table("data_change") as batch:
        batch.drop_column("rewritten")
