"""Each organisation's published network aggregates, stored (issue 17, scale): a first network render reads
them instead of every organisation's records.

One row per organisation, aggregate key (characteristic, period kind, involvement filter, baseline, settings)
and part (the published rows, tables, joiners, trend tests, scorecard, and their description), with the
organisation's data version the part was computed from. Only published (disclosure-controlled) figures are
stored: see ``models/aggregates.py``.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "network_aggregate",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("aggregate_key", sa.String(length=200), nullable=False),
        sa.Column("part", sa.String(length=40), nullable=False),
        sa.Column("data_version", sa.Text(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("computed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("organisation_id", "aggregate_key", "part"),
    )


def downgrade() -> None:
    op.drop_table("network_aggregate")
