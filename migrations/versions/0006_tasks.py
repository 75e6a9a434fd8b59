"""departments' tasks (派单 · 签收 · 退单 · 办结反馈)

Revision ID: 0006_tasks
Revises: 0005_location_check
Create Date: 2026-12-01 12:30:00

Adds `tasks`. A problem that an earlier `assign` labelled with a department gets that department's lead
task, dated by its last assign event: `reported` (with the resolution as its result) when the problem was
resolved or closed since, `superseded` when it was rejected or withdrawn, else `signed` (the department
was already at work on it); its due date is the problem's, else ten days after the dispatch.
"""
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = '0006_tasks'
down_revision = '0005_location_check'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('dispatched_by_id', sa.Integer(), nullable=True),
    sa.Column('dispatched_at', sa.DateTime(), nullable=False),
    sa.Column('sign_due_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=True),
    sa.Column('signed_on_time', sa.Boolean(), nullable=True),
    sa.Column('reported_at', sa.DateTime(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('refusal_reason', sa.Text(), nullable=True),
    sa.Column('recall_reason', sa.Text(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_tasks_department_id_departments')),
    sa.ForeignKeyConstraint(['dispatched_by_id'], ['users.id'], name=op.f('fk_tasks_dispatched_by_id_users')),
    sa.ForeignKeyConstraint(['problem_id'], ['problems.id'], name=op.f('fk_tasks_problem_id_problems'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_tasks_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_problem_id'), ['problem_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_status'), ['status'], unique=False)
    _backfill(op.get_bind())


def _backfill(conn):
    problems = sa.table('problems', sa.column('id', sa.Integer), sa.column('department_id', sa.Integer),
                        sa.column('owning_region_id', sa.Integer), sa.column('status', sa.String),
                        sa.column('due_at', sa.DateTime), sa.column('resolved_at', sa.DateTime),
                        sa.column('resolution', sa.Text), sa.column('updated_at', sa.DateTime))
    events = sa.table('problem_events', sa.column('problem_id', sa.Integer), sa.column('action', sa.String),
                      sa.column('actor_id', sa.Integer), sa.column('at', sa.DateTime), sa.column('id', sa.Integer))
    tasks = sa.table('tasks', *[sa.column(name) for name in (
        'problem_id', 'department_id', 'region_id', 'role', 'status', 'instructions', 'dispatched_by_id',
        'dispatched_at', 'sign_due_at', 'due_at', 'signed_at', 'signed_on_time', 'reported_at', 'result', 'ended_at',
        'reopen_count', 'version', 'created_at', 'updated_at')])
    rows = conn.execute(sa.select(problems).where(problems.c.department_id.is_not(None))).all()
    for p in rows:
        assign = conn.execute(sa.select(events.c.actor_id, events.c.at).where(
            events.c.problem_id == p.id, events.c.action == 'assign').order_by(events.c.id.desc()).limit(1)).first()
        at = assign.at if assign else p.updated_at
        status, reported_at, result, ended_at = 'signed', None, None, None
        if p.status in ('resolved', 'closed'):
            status, reported_at, result = 'reported', p.resolved_at or at, p.resolution
        elif p.status in ('rejected', 'withdrawn'):
            status, ended_at = 'superseded', p.updated_at
        conn.execute(tasks.insert().values(
            problem_id=p.id, department_id=p.department_id, region_id=p.owning_region_id, role='lead',
            status=status, instructions='', dispatched_by_id=assign.actor_id if assign else None,
            dispatched_at=at, sign_due_at=at + timedelta(days=1), due_at=p.due_at or at + timedelta(days=10),
            signed_at=at, signed_on_time=True, reported_at=reported_at, result=result, ended_at=ended_at, reopen_count=0, version=1,
            created_at=at, updated_at=at))


def downgrade():
    op.drop_index(op.f('ix_tasks_status'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_region_id'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_problem_id'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_due_at'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_department_id'), table_name='tasks')
    op.drop_table('tasks')
