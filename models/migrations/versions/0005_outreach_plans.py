"""Outreach plans: a plan per gap (group x level or committee), its community partners and its actions.

Revision ID: 0005
Revises: 0002 (issue 18 asked for 0004; 0003 and 0004 were not on main yet, so it chains to the newest there)
Create Date: 2026-12-06
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outreach_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('characteristic', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('group', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('involvement', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('target_people', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=False),
    sa.Column('owner_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('owner_team', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint("characteristic IN ('ethnicity', 'ethnicity_broad', 'ethnicity_binary', 'sex', 'gender_same_as_birth', 'age_band', 'disability', 'sexual_orientation', 'religion', 'involvement_type')", name='ck_outreach_plan_characteristic'),
    sa.CheckConstraint("involvement IN ('all', 'service_user', 'carer')", name='ck_outreach_plan_involvement'),
    sa.CheckConstraint("status IN ('open', 'on_track', 'behind', 'met', 'dropped')", name='ck_outreach_plan_status'),
    sa.CheckConstraint('target_date > started_on', name='ck_outreach_plan_dates'),
    sa.CheckConstraint('target_people >= 1', name='ck_outreach_plan_target'),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['level_id'], ['level.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'ref', name='uq_outreach_plan_ref')
    )
    with op.batch_alter_table('outreach_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_plan_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_plan_level_id'), ['level_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_plan_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('plan_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('partner', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['outreach_plan.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id', 'action', name='uq_plan_action')
    )
    with op.batch_alter_table('plan_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_action_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_action_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('contact_role', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['outreach_plan.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id', 'name', name='uq_plan_partner_name')
    )
    with op.batch_alter_table('plan_partner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_partner_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_partner_plan_id'), ['plan_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('plan_partner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_partner_plan_id'))
        batch_op.drop_index(batch_op.f('ix_plan_partner_organisation_id'))

    op.drop_table('plan_partner')
    with op.batch_alter_table('plan_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_action_plan_id'))
        batch_op.drop_index(batch_op.f('ix_plan_action_organisation_id'))

    op.drop_table('plan_action')
    with op.batch_alter_table('outreach_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_plan_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_outreach_plan_level_id'))
        batch_op.drop_index(batch_op.f('ix_outreach_plan_activity_id'))

    op.drop_table('outreach_plan')
