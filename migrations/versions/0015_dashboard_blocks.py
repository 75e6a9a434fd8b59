"""日调度 task and key-enterprise figures kept by the write path: task_figures, key_figures

Revision ID: 0015_dashboard_blocks
Revises: 0013_daily_figures
Create Date: 2026-12-01 18:40:00

The dashboard's task block (tasks by status, open and overdue per department, sign-overdue) and its key
enterprises (and those visited this month) read kept region_day_figures rows (`c.task*`, `c.key`,
`p.key_visited`) instead of joining every task to its problem and every key enterprise to its visits at each
request; each task's and key enterprise's share is kept in task_figures / key_figures. The data migration
computes every figure again (services.figures.rebuild), in the configured time zone.
"""
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_dashboard_blocks'
down_revision = '0013_daily_figures'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('task_figures',
    sa.Column('task_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('overdue_from', sa.DateTime(), nullable=True),
    sa.Column('sign_overdue_from', sa.DateTime(), nullable=True),
    sa.Column('marks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('task_id', name=op.f('pk_task_figures'))
    )
    with op.batch_alter_table('task_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_figures_overdue_from'), ['overdue_from'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_figures_problem_id'), ['problem_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_figures_sign_overdue_from'), ['sign_overdue_from'], unique=False)
    op.create_table('key_figures',
    sa.Column('enterprise_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('marks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('enterprise_id', name=op.f('pk_key_figures'))
    )
    from services.figures import rebuild

    rebuild(op.get_bind(), _zone())


def downgrade():
    op.drop_table('key_figures')
    with op.batch_alter_table('task_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_figures_sign_overdue_from'))
        batch_op.drop_index(batch_op.f('ix_task_figures_problem_id'))
        batch_op.drop_index(batch_op.f('ix_task_figures_overdue_from'))
    op.drop_table('task_figures')
    # their rows of region_day_figures go with them: the figures without tasks, computed again
    from services.figures import rebuild

    rebuild(op.get_bind(), _zone(), blocks=False)


def _zone():
    """The time zone the running app is configured with (its default without an app)."""
    try:
        from flask import current_app
        return ZoneInfo(current_app.config.get("TIMEZONE") or "Asia/Shanghai")
    except RuntimeError:
        return ZoneInfo("Asia/Shanghai")
