"""arrears ledger (清欠)

Revision ID: 0008_arrears
Revises: 0005_location_check
Create Date: 2026-12-01 12:17:22

The cases of arrears owed to private and small enterprises (amounts in 万元 as NUMERIC(14, 2)), their monthly
repayment plans, repayments and events. New tables only: no existing row needs data. The new warning type
`arrears_behind` needs no schema change (warnings.type is a plain string).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_arrears'
down_revision = '0006_tasks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('arrears_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('creditor_enterprise_id', sa.Integer(), nullable=False),
    sa.Column('filer_id', sa.Integer(), nullable=True),
    sa.Column('debtor_name', sa.String(length=200), nullable=False),
    sa.Column('debtor_kind', sa.String(length=24), nullable=False),
    sa.Column('debtor_region_id', sa.Integer(), nullable=True),
    sa.Column('origin', sa.Text(), nullable=False),
    sa.Column('amount_10k', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('disputed_10k', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('repaid_10k', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('complex', sa.Boolean(), nullable=False),
    sa.Column('supervised', sa.Boolean(), nullable=False),
    sa.Column('supervised_at', sa.DateTime(), nullable=True),
    sa.Column('supervising_region_id', sa.Integer(), nullable=True),
    sa.Column('cleared_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirm_method', sa.String(length=8), nullable=True),
    sa.Column('confirm_comment', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_arrears_cases_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['creditor_enterprise_id'], ['enterprises.id'], name=op.f('fk_arrears_cases_creditor_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['debtor_region_id'], ['regions.id'], name=op.f('fk_arrears_cases_debtor_region_id_regions')),
    sa.ForeignKeyConstraint(['filer_id'], ['users.id'], name=op.f('fk_arrears_cases_filer_id_users')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_arrears_cases_region_id_regions')),
    sa.ForeignKeyConstraint(['supervising_region_id'], ['regions.id'], name=op.f('fk_arrears_cases_supervising_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arrears_cases'))
    )
    with op.batch_alter_table('arrears_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arrears_cases_creditor_enterprise_id'), ['creditor_enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_arrears_cases_debtor_kind'), ['debtor_kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_arrears_cases_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_arrears_cases_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_arrears_cases_supervised'), ['supervised'], unique=False)

    op.create_table('arrears_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_arrears_events_actor_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['arrears_cases.id'], name=op.f('fk_arrears_events_case_id_arrears_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arrears_events'))
    )
    with op.batch_alter_table('arrears_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arrears_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_arrears_events_case_id'), ['case_id'], unique=False)

    op.create_table('arrears_plan_months',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('amount_10k', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['arrears_cases.id'], name=op.f('fk_arrears_plan_months_case_id_arrears_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arrears_plan_months')),
    sa.UniqueConstraint('case_id', 'period', name=op.f('uq_arrears_plan_months_case_id_period'))
    )
    with op.batch_alter_table('arrears_plan_months', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arrears_plan_months_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_arrears_plan_months_period'), ['period'], unique=False)

    op.create_table('arrears_repayments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount_10k', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['arrears_cases.id'], name=op.f('fk_arrears_repayments_case_id_arrears_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_arrears_repayments_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arrears_repayments'))
    )
    with op.batch_alter_table('arrears_repayments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arrears_repayments_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_arrears_repayments_paid_on'), ['paid_on'], unique=False)



def downgrade():
    op.drop_table('arrears_repayments')
    op.drop_table('arrears_plan_months')
    op.drop_table('arrears_events')
    op.drop_table('arrears_cases')
