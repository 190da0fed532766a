"""Network viewers (issue 17): grants of a set of organisations (all, a region, an ICB, one organisation).

A network viewer is not a role in one organisation, so the grants have their own table; ``user_role`` and its
check constraint are unchanged.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCOPE_KINDS = ("all", "region", "icb", "organisation")  # data.codes.NETWORK_SCOPES when this was written


def upgrade() -> None:
    kinds = ", ".join(f"'{kind}'" for kind in SCOPE_KINDS)
    op.create_table(
        "network_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scope_kind", sa.String(length=20), nullable=False),
        sa.Column("scope_value", sa.String(length=40), nullable=False),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "scope_kind", "scope_value", name="uq_network_grant"),
        sa.CheckConstraint(f"scope_kind IN ({kinds})", name="ck_network_grant_scope_kind"),
    )
    op.create_index("ix_network_grant_user_id", "network_grant", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_network_grant_user_id", table_name="network_grant")
    op.drop_table("network_grant")
