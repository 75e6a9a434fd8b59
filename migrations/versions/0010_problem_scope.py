"""Problems carry their enterprise's county, prefecture and province; exact counts per county, status, category

Revision ID: 0010_problem_scope
Revises: 0009_needs
Create Date: 2026-12-01 15:40:00

problems.province_id / prefecture_id / county_id: the enterprise's region ancestry, filled here for every
existing problem from its enterprise (one UPDATE … FROM), with per-level indexes (level, id), (level, status,
id), (level, category, id), (level, status, category, id) that a regional actor's list walks in order; ix_problems_enterprise_id
becomes (enterprise_id, id), so an enterprise's problems are a walk too.
problem_counts: how many problems per (province, prefecture, county, status, category), counted here from
the rows and from then on kept by triggers on problems in the writing transaction (row triggers on SQLite,
statement triggers with transition tables on PostgreSQL, so a bulk statement costs one upsert per key).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_problem_scope'
down_revision = '0009_needs'
branch_labels = None
depends_on = None

LEVELS = ("province", "prefecture", "county")
INDEXES = {f"ix_problems_{level}_scope{suffix}": [f"{level}_id", *columns, "id"]
           for level in LEVELS
           for suffix, columns in (("", []), ("_status", ["status"]), ("_category", ["category"]),
                                   ("_status_category", ["status", "category"]))}
KEY = "province_id, prefecture_id, county_id, status, category"


def _key(row: str) -> str:
    return (f"coalesce({row}.province_id, 0), coalesce({row}.prefecture_id, 0), coalesce({row}.county_id, 0), "
            f"{row}.status, {row}.category")


def _key_match(row: str) -> str:
    return (f"province_id = coalesce({row}.province_id, 0) AND prefecture_id = coalesce({row}.prefecture_id, 0) "
            f"AND county_id = coalesce({row}.county_id, 0) AND status = {row}.status AND category = {row}.category")


SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER problem_counts_insert AFTER INSERT ON problems BEGIN
        INSERT INTO problem_counts ({KEY}, n) VALUES ({_key('NEW')}, 1)
        ON CONFLICT ({KEY}) DO UPDATE SET n = n + 1;
    END""",
    f"""CREATE TRIGGER problem_counts_delete AFTER DELETE ON problems BEGIN
        UPDATE problem_counts SET n = n - 1 WHERE {_key_match('OLD')};
    END""",
    f"""CREATE TRIGGER problem_counts_update AFTER UPDATE OF {KEY} ON problems
    WHEN OLD.status IS NOT NEW.status OR OLD.category IS NOT NEW.category OR OLD.county_id IS NOT NEW.county_id
        OR OLD.prefecture_id IS NOT NEW.prefecture_id OR OLD.province_id IS NOT NEW.province_id BEGIN
        UPDATE problem_counts SET n = n - 1 WHERE {_key_match('OLD')};
        INSERT INTO problem_counts ({KEY}, n) VALUES ({_key('NEW')}, 1)
        ON CONFLICT ({KEY}) DO UPDATE SET n = n + 1;
    END""",
]

# One upsert per statement: the net change per key, in key order (concurrent writers lock rows in one order).
_PG_UPSERT = f"""INSERT INTO problem_counts AS c ({KEY}, n)
        SELECT {KEY}, sum(delta) FROM ({{rows}}) AS d GROUP BY {KEY} HAVING sum(delta) <> 0 ORDER BY {KEY}
        ON CONFLICT ({KEY}) DO UPDATE SET n = c.n + excluded.n"""


def _pg_rows(*tables: str) -> str:
    """The rows a statement added (+1) and removed (-1), keyed as problem_counts."""
    parts = []
    for table in tables:
        sign = 1 if table == "new_rows" else -1
        parts.append(f"SELECT coalesce(r.province_id, 0) AS province_id, coalesce(r.prefecture_id, 0) AS prefecture_id,"
                     f" coalesce(r.county_id, 0) AS county_id, r.status, r.category, {sign} AS delta FROM {table} AS r")
    return " UNION ALL ".join(parts)


PG_TRIGGERS = {
    # name: (event, REFERENCING clause, transition tables it reads)
    "problem_counts_insert": ("INSERT", "NEW TABLE AS new_rows", ("new_rows",)),
    "problem_counts_delete": ("DELETE", "OLD TABLE AS old_rows", ("old_rows",)),
    "problem_counts_update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", ("old_rows", "new_rows")),
}


def upgrade():
    for level in LEVELS:
        op.add_column('problems', sa.Column(f'{level}_id', sa.Integer(), nullable=True))
    op.create_table('problem_counts',
    sa.Column('province_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('prefecture_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('county_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('province_id', 'prefecture_id', 'county_id', 'status', 'category',
                            name=op.f('pk_problem_counts'))
    )
    op.create_index('ix_problem_counts_prefecture_id', 'problem_counts', ['prefecture_id'], unique=False)
    op.create_index('ix_problem_counts_county_id', 'problem_counts', ['county_id'], unique=False)
    # Every existing problem: its enterprise's county and the two regions above it.
    op.execute("UPDATE problems SET county_id = county.id, prefecture_id = prefecture.id, "
               "province_id = prefecture.parent_id FROM enterprises, regions AS county, regions AS prefecture "
               "WHERE enterprises.id = problems.enterprise_id AND county.id = enterprises.region_id "
               "AND prefecture.id = county.parent_id")
    op.execute(f"INSERT INTO problem_counts ({KEY}, n) SELECT {_key('problems')}, count(*) FROM problems "
               f"GROUP BY {_key('problems')}")
    for name, columns in INDEXES.items():
        op.create_index(name, 'problems', columns, unique=False)
    # An enterprise's problems newest first: (enterprise_id, id) instead of (enterprise_id).
    op.drop_index('ix_problems_enterprise_id', table_name='problems')
    op.create_index('ix_problems_enterprise_id', 'problems', ['enterprise_id', 'id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for name, (event, referencing, tables) in PG_TRIGGERS.items():
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                       f"{_PG_UPSERT.format(rows=_pg_rows(*tables))}; RETURN NULL; END $$")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON problems REFERENCING {referencing} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in PG_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON problems" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    for name in INDEXES:
        op.drop_index(name, table_name='problems')
    op.drop_index('ix_problems_enterprise_id', table_name='problems')
    op.create_index('ix_problems_enterprise_id', 'problems', ['enterprise_id'], unique=False)
    op.drop_table('problem_counts')
    for level in reversed(LEVELS):
        op.drop_column('problems', f'{level}_id')
