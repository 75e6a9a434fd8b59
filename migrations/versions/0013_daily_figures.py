"""日调度 figures kept by the write path: region_day_figures, problem_figures, enterprise_figures

Revision ID: 0013_daily_figures
Revises: 0009_needs
Create Date: 2026-12-01 15:30:00

The dashboard reads per (region, local day) figures instead of aggregating the ledger; the data migration
builds them from every existing problem (its events and stints), visit and enterprise (its
operating-status changes), in the configured time zone
(services.figures.rebuild; `flask figures rebuild` does the same later).
"""
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_daily_figures'
down_revision = '0014_export_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('region_day_figures',
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=48), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_region_day_figures_region_id_regions')),
    sa.PrimaryKeyConstraint('region_id', 'day', 'name', name=op.f('pk_region_day_figures'))
    )
    op.create_table('problem_figures',
    sa.Column('problem_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('overdue_from', sa.DateTime(), nullable=True),
    sa.Column('marks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('problem_id', name=op.f('pk_problem_figures'))
    )
    with op.batch_alter_table('problem_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_figures_overdue_from'), ['overdue_from'], unique=False)
    op.create_table('enterprise_figures',
    sa.Column('enterprise_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('marks', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('enterprise_id', name=op.f('pk_enterprise_figures'))
    )
    from services.figures import rebuild

    rebuild(op.get_bind(), _zone(), blocks=False)  # task_figures, key_figures come with 0015_dashboard_blocks


def downgrade():
    op.drop_table('enterprise_figures')
    with op.batch_alter_table('problem_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_figures_overdue_from'))
    op.drop_table('problem_figures')
    op.drop_table('region_day_figures')


def _zone():
    """The time zone the running app is configured with (its default without an app)."""
    try:
        from flask import current_app
        return ZoneInfo(current_app.config.get("TIMEZONE") or "Asia/Shanghai")
    except RuntimeError:
        return ZoneInfo("Asia/Shanghai")
