"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 18:34:30.612249
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


AUDIT_APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]
AUDIT_APPEND_ONLY_POSTGRES = [
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
]


def _append_only_audit() -> None:
    dialect = op.get_bind().dialect.name
    statements = AUDIT_APPEND_ONLY_POSTGRES if dialect == "postgresql" else AUDIT_APPEND_ONLY_SQLITE
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email', name='uq_app_user_email')
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('user', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('organisation',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('catchment', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code', name='uq_organisation_code')
    )
    op.create_table('baseline',
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('geography_code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('geography_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('characteristic', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('group', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('count', sa.Float(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('count >= 0', name='ck_baseline_count'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'source', 'year', 'geography_code', 'characteristic', 'group', name='uq_baseline_cell')
    )
    with op.batch_alter_table('baseline', schema=None) as batch_op:
        batch_op.create_index('ix_baseline_lookup', ['source', 'geography_code', 'characteristic'], unique=False)
        batch_op.create_index(batch_op.f('ix_baseline_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('import_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('user', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('table_name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('committed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('import_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_log_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('level',
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('decision_making', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('rank >= 1', name='ck_level_rank'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'key', name='uq_level_key'),
    sa.UniqueConstraint('organisation_id', 'rank', name='uq_level_rank')
    )
    with op.batch_alter_table('level', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_level_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('person',
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('involvement_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('ethnicity', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('sex', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('gender_same_as_birth', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('age_band', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('year_of_birth', sa.Integer(), nullable=True),
    sa.Column('disability', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('sexual_orientation', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('religion', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('local_authority', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint("age_band IN ('0-15', '16-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65-74', '75-84', '85+', 'not_stated', 'not_known')", name='ck_person_age_band'),
    sa.CheckConstraint("disability IN ('yes', 'no', 'not_stated', 'not_known')", name='ck_person_disability'),
    sa.CheckConstraint("ethnicity IN ('A', 'B', 'GT', 'RO', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'R', 'L', 'M', 'N', 'P', 'AR', 'S', 'Z', '99')", name='ck_person_ethnicity'),
    sa.CheckConstraint("gender_same_as_birth IN ('yes', 'no', 'not_stated', 'not_known')", name='ck_person_gender_same_as_birth'),
    sa.CheckConstraint("involvement_type IN ('service_user', 'carer', 'both')", name='ck_person_involvement_type'),
    sa.CheckConstraint("religion IN ('no_religion', 'christian', 'buddhist', 'hindu', 'jewish', 'muslim', 'sikh', 'other', 'not_stated', 'not_known')", name='ck_person_religion'),
    sa.CheckConstraint("sex IN ('female', 'male', 'not_stated', 'not_known')", name='ck_person_sex'),
    sa.CheckConstraint("sexual_orientation IN ('straight', 'gay_lesbian', 'bisexual', 'other', 'not_stated', 'not_known')", name='ck_person_sexual_orientation'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'ref', name='uq_person_ref')
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_org_ethnicity', ['organisation_id', 'ethnicity'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('user_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.CheckConstraint("role IN ('data_steward', 'equality_lead', 'board_member', 'outreach_worker', 'viewer')", name='ck_user_role_role'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'organisation_id', name='uq_user_role')
    )
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_role_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_role_user_id'), ['user_id'], unique=False)

    op.create_table('activity',
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('involvement_area', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('involves', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('intended_outcomes', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('purpose_recorded_on', sa.Date(), nullable=True),
    sa.Column('high_level', sa.Boolean(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("involvement_area IN ('A', 'B', 'C', 'D', 'E')", name='ck_activity_involvement_area'),
    sa.CheckConstraint("involves IN ('service_user', 'carer', 'both')", name='ck_activity_involves'),
    sa.CheckConstraint("kind IN ('committee', 'project', 'programme', 'group', 'event')", name='ck_activity_kind'),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name='ck_activity_dates'),
    sa.ForeignKeyConstraint(['level_id'], ['level.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'ref', name='uq_activity_ref')
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_level_id'), ['level_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('support_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('offered_on', sa.Date(), nullable=False),
    sa.Column('taken_up', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('training', 'administrative', 'supervision', 'emotional', 'peer')", name='ck_support_offer_kind'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'person_id', 'kind', 'offered_on', name='uq_support_offer')
    )
    with op.batch_alter_table('support_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_offer_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_offer_person_id'), ['person_id'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('felt_valued', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('could_influence', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('informed_of_outcomes', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.CheckConstraint("could_influence IN ('strongly_agree', 'agree', 'neutral', 'disagree', 'strongly_disagree', 'not_stated', 'not_known')", name='ck_feedback_could_influence'),
    sa.CheckConstraint("felt_valued IN ('strongly_agree', 'agree', 'neutral', 'disagree', 'strongly_disagree', 'not_stated', 'not_known')", name='ck_feedback_felt_valued'),
    sa.CheckConstraint("informed_of_outcomes IN ('strongly_agree', 'agree', 'neutral', 'disagree', 'strongly_disagree', 'not_stated', 'not_known')", name='ck_feedback_informed_of_outcomes'),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'ref', name='uq_feedback_ref')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('impact_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('area', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('what_changed', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('evidence', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.CheckConstraint("area IN ('ethos_culture', 'policy_planning', 'delivery', 'outcomes_outputs', 'diversity_equality', 'experience')", name='ck_impact_log_area'),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'ref', name='uq_impact_ref')
    )
    with op.batch_alter_table('impact_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_impact_log_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_impact_log_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('involvement',
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('payment_basis', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('has_role_description', sa.Boolean(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("payment_basis IN ('paid', 'voluntary')", name='ck_involvement_payment_basis'),
    sa.CheckConstraint("role IN ('ambassador', 'critical_friend', 'co_worker', 'consultant', 'expert_by_experience', 'other')", name='ck_involvement_role'),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name='ck_involvement_dates'),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'ref', name='uq_involvement_ref')
    )
    with op.batch_alter_table('involvement', schema=None) as batch_op:
        batch_op.create_index('ix_involvement_activity_dates', ['activity_id', 'start_date', 'end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_involvement_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_involvement_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_involvement_person_id'), ['person_id'], unique=False)

    op.create_table('meeting',
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=True),
    sa.Column('papers_sent', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'ref', name='uq_meeting_ref')
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_activity_date', ['activity_id', 'date'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('claim_date', sa.Date(), nullable=False),
    sa.Column('paid_date', sa.Date(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.CheckConstraint("kind IN ('fee', 'expense', 'childcare', 'travel')", name='ck_payment_kind'),
    sa.CheckConstraint('amount >= 0', name='ck_payment_amount'),
    sa.CheckConstraint('paid_date IS NULL OR paid_date >= claim_date', name='ck_payment_dates'),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'ref', name='uq_payment_ref')
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_person_id'), ['person_id'], unique=False)

    op.create_table('review_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.CheckConstraint("stage IN ('act', 'evaluate', 'reflect', 'learn')", name='ck_review_step_stage'),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('activity_id', 'cycle', 'stage', name='uq_review_step')
    )
    with op.batch_alter_table('review_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_step_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_step_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('attendance',
    sa.Column('capacity', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("capacity IN ('service_user', 'carer', 'staff')", name='ck_attendance_capacity'),
    sa.CheckConstraint("status IN ('attended', 'apologies', 'reserve')", name='ck_attendance_status'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'person_id', name='uq_attendance_meeting_person')
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_person_id'), ['person_id'], unique=False)

    


    _append_only_audit()


def downgrade() -> None:
    
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_person_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_meeting_id'))

    op.drop_table('attendance')
    with op.batch_alter_table('review_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_step_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_review_step_activity_id'))

    op.drop_table('review_step')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_person_id'))
        batch_op.drop_index(batch_op.f('ix_payment_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_payment_activity_id'))

    op.drop_table('payment')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_activity_id'))
        batch_op.drop_index('ix_meeting_activity_date')

    op.drop_table('meeting')
    with op.batch_alter_table('involvement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_involvement_person_id'))
        batch_op.drop_index(batch_op.f('ix_involvement_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_involvement_activity_id'))
        batch_op.drop_index('ix_involvement_activity_dates')

    op.drop_table('involvement')
    with op.batch_alter_table('impact_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_impact_log_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_impact_log_activity_id'))

    op.drop_table('impact_log')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_activity_id'))

    op.drop_table('feedback')
    with op.batch_alter_table('support_offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_offer_person_id'))
        batch_op.drop_index(batch_op.f('ix_support_offer_organisation_id'))

    op.drop_table('support_offer')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_activity_level_id'))

    op.drop_table('activity')
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_role_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_role_organisation_id'))

    op.drop_table('user_role')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_organisation_id'))
        batch_op.drop_index('ix_person_org_ethnicity')

    op.drop_table('person')
    with op.batch_alter_table('level', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_level_organisation_id'))

    op.drop_table('level')
    with op.batch_alter_table('import_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_log_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_import_log_at'))

    op.drop_table('import_log')
    with op.batch_alter_table('baseline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_baseline_organisation_id'))
        batch_op.drop_index('ix_baseline_lookup')

    op.drop_table('baseline')
    op.drop_table('organisation')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    op.drop_table('app_user')
    
