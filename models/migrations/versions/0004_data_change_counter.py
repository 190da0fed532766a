"""A change counter per organisation and table (``data_change``), bumped by imports and forms in their own
transaction, so the dashboard knows cheaply whether (and which) records changed.

Revision ID: 0004
Revises: 0002 (temporarily: 0003 is the audit hash chain on another branch; chain to it once it lands)
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_change",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("organisation_id", "table_name"),
    )


def downgrade() -> None:
    op.drop_table("data_change")
