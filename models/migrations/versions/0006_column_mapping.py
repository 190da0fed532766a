"""Column mappings remembered per organisation (issue 12: the registers people keep).

Revision ID: 0006
Revises: 0004
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "column_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("header", sa.String(length=200), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "table_name", "header", name="uq_column_mapping"),
    )
    op.create_index("ix_column_mapping_organisation_id", "column_mapping", ["organisation_id"])


def downgrade() -> None:
    op.drop_index("ix_column_mapping_organisation_id", table_name="column_mapping")
    op.drop_table("column_mapping")
