"""Shipped reference baselines (organisation_id NULL) are unique per cell too.

The table's unique constraint includes organisation_id, and NULLs are distinct in a unique constraint, so two
simultaneous ``presence init-db`` runs could otherwise load the reference rows twice.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ["source", "year", "geography_code", "characteristic", "group"]


def upgrade() -> None:
    op.create_index(
        "uq_baseline_reference_cell", "baseline", COLUMNS, unique=True,
        sqlite_where=sa.text("organisation_id IS NULL"),
        postgresql_where=sa.text("organisation_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_baseline_reference_cell", table_name="baseline")
