"""audit rows sealed after the fact; ledger numbers from a per-year sequence on PostgreSQL

Revision ID: 0012_audit_seal
Revises: 0009_needs
Create Date: 2026-12-01 15:45:00

Writers no longer queue on one row:
- audit_log.seq and prev_hash become nullable (a row is unsealed until the sealer chains it) and audit_log gains
  txid, the writing transaction's id; on PostgreSQL its column default is pg_current_xact_id(), so every insert
  carries it without a statement more. The chain head row is created when missing (an empty chain), so its
  absence afterwards always means tampering. Existing rows are all sealed already: no data changes.
- On PostgreSQL, ledger_next_number(year) takes the year's next ledger number from the sequence
  ledger_number_<year>, creating it on first use after the highest number the year already has (in
  ledger_counters or in problems), so the numbers go on from where the counter left them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_audit_seal'
down_revision = '0010_problem_scope'
branch_labels = None
depends_on = None

LEDGER_NEXT_NUMBER = r"""
CREATE OR REPLACE FUNCTION ledger_next_number(y integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    seq_name text := 'ledger_number_' || y;
    start_at bigint;
BEGIN
    IF to_regclass(seq_name) IS NULL THEN
        SELECT greatest(
            coalesce((SELECT last FROM ledger_counters WHERE year = y), 0),
            coalesce((SELECT max(split_part(number, '-', 3)::bigint) FROM problems
                      WHERE number LIKE 'LX-' || y || '-%'), 0)) + 1
        INTO start_at;
        BEGIN
            -- a concurrent first filer of the year waits here for the other's commit, then uses its sequence
            EXECUTE format('CREATE SEQUENCE %I START WITH %s', seq_name, start_at);
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            NULL;
        END;
    END IF;
    RETURN nextval(seq_name::regclass);
END
$$;
"""


def upgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('txid', sa.BigInteger(), nullable=True))
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=True)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_log ALTER COLUMN txid SET DEFAULT (pg_current_xact_id()::text::bigint)")
        op.execute(LEDGER_NEXT_NUMBER)
    has_head = bind.execute(sa.text("SELECT count(*) FROM audit_head")).scalar()
    if not has_head:
        # no head: either no audit row yet (a fresh database) or rows chained before (head, seq = count)
        last = bind.execute(sa.text("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")).first()
        seq, head_hash = (last[0], last[1]) if last else (0, "0" * 64)
        bind.execute(sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, :seq, :hash)"),
                     {"seq": seq, "hash": head_hash})


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ledger_next_number(integer)")
    op.drop_column('audit_log', 'txid')
