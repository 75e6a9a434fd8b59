"""location check of on-site visits

Revision ID: 0005_location_check
Revises: 0004_stints
Create Date: 2026-12-01 10:00:00

Adds visits.location_check (ok | far | poor_accuracy | missing, NULL for visits not made on site) and
fills it for the visits already filed, with the default thresholds (2 km, 500 m accuracy). Problem
photos need no schema change: photos.problem_id exists since 0001.
"""
import math

import sqlalchemy as sa
from alembic import op

revision = '0005_location_check'
down_revision = '0004_stints'
branch_labels = None
depends_on = None

MAX_DISTANCE_M, MAX_ACCURACY_M = 2000.0, 500.0


def _distance_m(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))


def _check(lat, lon, accuracy, site_lat, site_lon):
    """The rule of services/location.py as it stood when this revision was written."""
    if None in (lat, lon, site_lat, site_lon):
        return "missing"
    if accuracy is None or accuracy > MAX_ACCURACY_M:
        return "poor_accuracy"
    return "far" if _distance_m(lat, lon, site_lat, site_lon) > MAX_DISTANCE_M else "ok"


def upgrade():
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('location_check', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_visits_location_check'), ['location_check'], unique=False)

    conn = op.get_bind()
    visits = sa.table('visits', sa.column('id', sa.Integer), sa.column('enterprise_id', sa.Integer),
                      sa.column('method', sa.String), sa.column('latitude', sa.Float),
                      sa.column('longitude', sa.Float), sa.column('accuracy_m', sa.Float),
                      sa.column('location_check', sa.String))
    enterprises = sa.table('enterprises', sa.column('id', sa.Integer), sa.column('latitude', sa.Float),
                           sa.column('longitude', sa.Float))
    rows = conn.execute(sa.select(visits.c.id, visits.c.latitude, visits.c.longitude, visits.c.accuracy_m,
                                  enterprises.c.latitude, enterprises.c.longitude)
                        .select_from(visits.join(enterprises, enterprises.c.id == visits.c.enterprise_id))
                        .where(visits.c.method == 'on_site')).all()
    for visit_id, lat, lon, accuracy, site_lat, site_lon in rows:
        conn.execute(visits.update().where(visits.c.id == visit_id)
                     .values(location_check=_check(lat, lon, accuracy, site_lat, site_lon)))


def downgrade():
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): a batch copy of `visits` would trip its foreign keys.
    op.drop_index(op.f('ix_visits_location_check'), table_name='visits')
    op.drop_column('visits', 'location_check')
