"""对接: needs, institutions, offers, matches, placements, matching sessions

Revision ID: 0009_needs
Revises: 0005_location_check
Create Date: 2026-12-01 12:14:17

New tables only, and users.institution_id (the institution a user of role `institution` is bound to);
no existing row needs data.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_needs'
down_revision = '0007_outbox'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('institutions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_institutions')),
    sa.UniqueConstraint('name', name=op.f('uq_institutions_name'))
    )
    op.create_table('institution_regions',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_institution_regions_institution_id_institutions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_institution_regions_region_id_regions')),
    sa.PrimaryKeyConstraint('institution_id', 'region_id', name=op.f('pk_institution_regions'))
    )
    with op.batch_alter_table('institution_regions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_institution_regions_region_id'), ['region_id'], unique=False)

    op.create_table('matching_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=True),
    sa.Column('institution_ids', sa.JSON(), nullable=False),
    sa.Column('enterprise_ids', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organiser_id'], ['users.id'], name=op.f('fk_matching_sessions_organiser_id_users')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_matching_sessions_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_sessions'))
    )
    with op.batch_alter_table('matching_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matching_sessions_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_matching_sessions_region_id'), ['region_id'], unique=False)

    op.create_table('needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('product', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('filer_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('last_activity_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_needs_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['filer_id'], ['users.id'], name=op.f('fk_needs_filer_id_users')),
    sa.ForeignKeyConstraint(['problem_id'], ['problems.id'], name=op.f('fk_needs_problem_id_problems')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_needs_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs'))
    )
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_needs_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_needs_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_needs_problem_id'), ['problem_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_needs_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_needs_status'), ['status'], unique=False)

    op.create_table('matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('own_need_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('amount_10k', sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('reported_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_matches_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_matches_need_id_needs')),
    sa.ForeignKeyConstraint(['own_need_id'], ['needs.id'], name=op.f('fk_matches_own_need_id_needs')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_matches_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matches'))
    )
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matches_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_own_need_id'), ['own_need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_status'), ['status'], unique=False)

    op.create_table('offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('amount_10k', sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
    sa.Column('rate_pct', sa.Numeric(precision=6, scale=3, asdecimal=False), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('closed_reason', sa.Text(), nullable=True),
    sa.Column('granted_amount_10k', sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
    sa.Column('granted_on', sa.Date(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_offers_institution_id_institutions')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_offers_need_id_needs')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_offers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offers')),
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_status'), ['status'], unique=False)

    op.create_table('placements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('post_index', sa.Integer(), nullable=False),
    sa.Column('placed', sa.Integer(), nullable=False),
    sa.Column('placed_on', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_placements_need_id_needs')),
    sa.ForeignKeyConstraint(['session_id'], ['matching_sessions.id'], name=op.f('fk_placements_session_id_matching_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_placements_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placements'))
    )
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placements_need_id'), ['need_id'], unique=False)

    op.create_table('session_needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=True),
    sa.Column('amount_10k', sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
    sa.Column('placed', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_session_needs_need_id_needs')),
    sa.ForeignKeyConstraint(['session_id'], ['matching_sessions.id'], name=op.f('fk_session_needs_session_id_matching_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_needs')),
    sa.UniqueConstraint('session_id', 'need_id', name=op.f('uq_session_needs_session_id_need_id'))
    )
    with op.batch_alter_table('session_needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_needs_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_needs_session_id'), ['session_id'], unique=False)

    op.create_table('need_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('match_id', sa.Integer(), nullable=True),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('amount_10k', sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_need_events_actor_id_users')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_need_events_institution_id_institutions')),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_need_events_match_id_matches')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_need_events_need_id_needs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_need_events_offer_id_offers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_need_events'))
    )
    with op.batch_alter_table('need_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_need_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_need_events_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_need_events_need_id'), ['need_id'], unique=False)

    # A plain ADD COLUMN with its REFERENCES (no batch copy of users, which many tables reference).
    if op.get_bind().dialect.name == "sqlite":  # SQLite cannot ALTER constraints: the REFERENCES goes inline
        op.execute("ALTER TABLE users ADD COLUMN institution_id INTEGER "
                   "CONSTRAINT fk_users_institution_id_institutions REFERENCES institutions (id)")
    else:
        op.add_column('users', sa.Column('institution_id', sa.Integer(), sa.ForeignKey(
            'institutions.id', name=op.f('fk_users_institution_id_institutions')), nullable=True))
    op.create_index(op.f('ix_users_institution_id'), 'users', ['institution_id'], unique=False)



def downgrade():
    op.drop_index(op.f('ix_users_institution_id'), table_name='users')
    op.drop_column('users', 'institution_id')

    op.drop_index(op.f('ix_need_events_need_id'), table_name='need_events')
    op.drop_index(op.f('ix_need_events_institution_id'), table_name='need_events')
    op.drop_index(op.f('ix_need_events_at'), table_name='need_events')
    op.drop_index(op.f('ix_need_events_action'), table_name='need_events')

    op.drop_table('need_events')
    op.drop_index(op.f('ix_session_needs_session_id'), table_name='session_needs')
    op.drop_index(op.f('ix_session_needs_need_id'), table_name='session_needs')

    op.drop_table('session_needs')
    op.drop_index(op.f('ix_placements_need_id'), table_name='placements')

    op.drop_table('placements')
    op.drop_index(op.f('ix_offers_status'), table_name='offers')
    op.drop_index(op.f('ix_offers_need_id'), table_name='offers')
    op.drop_index(op.f('ix_offers_institution_id'), table_name='offers')

    op.drop_table('offers')
    op.drop_index(op.f('ix_matches_status'), table_name='matches')
    op.drop_index(op.f('ix_matches_own_need_id'), table_name='matches')
    op.drop_index(op.f('ix_matches_need_id'), table_name='matches')
    op.drop_index(op.f('ix_matches_enterprise_id'), table_name='matches')

    op.drop_table('matches')
    op.drop_index(op.f('ix_needs_status'), table_name='needs')
    op.drop_index(op.f('ix_needs_region_id'), table_name='needs')
    op.drop_index(op.f('ix_needs_problem_id'), table_name='needs')
    op.drop_index(op.f('ix_needs_kind'), table_name='needs')
    op.drop_index(op.f('ix_needs_enterprise_id'), table_name='needs')

    op.drop_table('needs')
    op.drop_index(op.f('ix_matching_sessions_region_id'), table_name='matching_sessions')
    op.drop_index(op.f('ix_matching_sessions_held_on'), table_name='matching_sessions')

    op.drop_table('matching_sessions')
    op.drop_index(op.f('ix_institution_regions_region_id'), table_name='institution_regions')

    op.drop_table('institution_regions')
    op.drop_table('institutions')
