"""走访台账: the visit log as a spreadsheet, scoped and filtered exactly like GET /visits, streamed."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from services import audit, visits
from services.actors import Actor
from services.db import db, unit_of_work
from services.exports import columns
from services.models import Enterprise, Photo, Problem, Region, User, Visit

VISIT_COLUMNS = columns(
    ("走访时间", "datetime"), "企业名称", ("统一社会信用代码", "code"), "所属县区", "走访人", "走访方式", "走访情况",
    "经营状态", ("用工人数", "int"), ("纬度", "number"), ("经度", "number"), ("定位精度（米）", "number"),
    ("登记问题数", "int"), ("照片数", "int"), ("登记时间", "datetime"),
)


def export_rows(*, actor: Actor, labels: dict, fmt: str, **filters) -> Iterator[list]:
    """Rows of the visit log, newest visit first, read in batches; audited once. Scope and role are
    checked here, before the response starts (403 for enterprise users)."""
    ids = visits.list_visits(actor=actor, **filters).with_only_columns(Visit.id).order_by(None).subquery()
    with unit_of_work():
        audit.record(actor, "visit.exported", "visit", None, {"format": fmt,
                                                             "filters": {k: str(v) for k, v in filters.items()}})
    county = aliased(Region)
    problems = (select(func.count(Problem.id)).where(Problem.visit_id == Visit.id).correlate(Visit).scalar_subquery())
    photos = (select(func.count(Photo.id)).where(Photo.visit_id == Visit.id).correlate(Visit).scalar_subquery())
    stmt = (select(Visit, Enterprise.name, Enterprise.credit_code, county.name, User.name, problems, photos)
            .join(Enterprise, Enterprise.id == Visit.enterprise_id)
            .join(county, county.id == Enterprise.region_id)
            .join(User, User.id == Visit.liaison_id)
            .where(Visit.id.in_(select(ids.c.id)))
            .order_by(Visit.visited_at.desc(), Visit.id.desc())
            .execution_options(yield_per=500))
    return _rows(stmt, labels)


def _rows(stmt, labels: dict) -> Iterator[list]:
    for visit, name, code, county_name, liaison, problem_count, photo_count in db.session.execute(stmt):
        yield [visit.visited_at, name, code, county_name, liaison,
               labels["visit_method"].get(visit.method, visit.method), visit.summary,
               labels["operating_status"].get(visit.operating_status or "", ""), visit.employees,
               visit.latitude, visit.longitude, visit.accuracy_m, int(problem_count or 0), int(photo_count or 0),
               visit.created_at]
    db.session.rollback()
