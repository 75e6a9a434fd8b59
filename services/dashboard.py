"""日调度: the daily dispatch dashboard of a region, in a fixed number of aggregate queries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, case, exists, func, literal, select
from sqlalchemy.orm import aliased

from services.actors import Actor, subtree_region_ids
from services.db import db, utcnow
from services.models import Enterprise, EnterpriseTag, Problem, Region, Visit, Warning
from services.models.enterprises import OPERATING_STATUSES
from services.models.monitoring import SEVERITIES
from services.models.problems import PROBLEM_CATEGORIES, PROBLEM_STATUSES
from services.models.reference import REGION_LEVELS
from services.monitoring import OVERDUE_STATUSES
from services.reporting import days_between, ratio, region_brief, report_region
from services.timeutil import day_bounds_utc, local_today

EXCLUDED_FROM_CLOSURE = ("rejected", "withdrawn")


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _within(column, start: datetime, end: datetime):
    return and_(column >= start, column < end)


class _Frame:
    """Enterprises of a region's subtree, optionally labelled with the direct child region holding them."""

    def __init__(self, root: Region):
        self.root = root
        self.child = aliased(Region, name="child")
        self.own = aliased(Region, name="own")

    def scope(self, stmt, enterprise_region, by_child: bool):
        if not by_child:
            return stmt.where(enterprise_region.in_(subtree_region_ids(self.root.path)))
        return (stmt.join(self.own, self.own.id == enterprise_region)
                .join(self.child, and_(self.child.parent_id == self.root.id,
                                       self.own.path.startswith(self.child.path)))
                .group_by(self.child.id))

    def key(self, by_child: bool):
        return self.child.id.label("child_id") if by_child else literal(0).label("child_id")


def _problems(frame: _Frame, by_child: bool, day: tuple[datetime, datetime], at: datetime) -> dict[int, dict]:
    closed = and_(Problem.status == "closed", Problem.closed_at.is_not(None))
    stmt = (select(frame.key(by_child), Problem.status, Problem.category, Problem.level,
                   func.count(Problem.id).label("n"),
                   _count_if(_within(Problem.created_at, *day)).label("new"),
                   _count_if(_within(Problem.accepted_at, *day)).label("accepted"),
                   _count_if(_within(Problem.resolved_at, *day)).label("resolved"),
                   _count_if(_within(Problem.closed_at, *day)).label("closed_today"),
                   _count_if(and_(Problem.status.in_(OVERDUE_STATUSES), Problem.due_at < at)).label("overdue"),
                   func.coalesce(func.sum(case((closed, days_between(Problem.created_at, Problem.closed_at)),
                                               else_=0)), 0).label("close_days"))
            .join(Enterprise, Enterprise.id == Problem.enterprise_id)
            .group_by(Problem.status, Problem.category, Problem.level))
    stmt = frame.scope(stmt, Enterprise.region_id, by_child)
    out: dict[int, dict] = {}
    for row in db.session.execute(stmt):
        acc = out.setdefault(row.child_id, _empty_problem_sums())
        acc["total"] += row.n
        acc["by_status"][row.status] = acc["by_status"].get(row.status, 0) + row.n
        acc["by_category"][row.category] = acc["by_category"].get(row.category, 0) + row.n
        acc["by_level"][row.level] = acc["by_level"].get(row.level, 0) + row.n
        for name in ("new", "accepted", "resolved", "overdue"):
            acc[name] += int(getattr(row, name))
        acc["closed"] += int(row.closed_today)
        acc["close_days"] += float(row.close_days or 0)
    return out


def _empty_problem_sums() -> dict:
    return {"total": 0, "by_status": {s: 0 for s in PROBLEM_STATUSES},
            "by_category": {c: 0 for c in PROBLEM_CATEGORIES}, "by_level": {lv: 0 for lv in REGION_LEVELS},
            "new": 0, "accepted": 0, "resolved": 0, "closed": 0, "overdue": 0, "close_days": 0.0}


def _problem_block(sums: dict | None) -> dict:
    sums = dict(sums or _empty_problem_sums())
    closed = sums["by_status"]["closed"]
    counted = sums["total"] - sum(sums["by_status"][s] for s in EXCLUDED_FROM_CLOSURE)
    close_days = sums.pop("close_days")
    sums["closure_rate"] = ratio(closed, counted)
    sums["mean_days_to_close"] = round(close_days / closed, 1) if closed else None
    return sums


def _visits(frame: _Frame, by_child: bool, day, month) -> dict[int, dict]:
    stmt = (select(frame.key(by_child), _count_if(_within(Visit.visited_at, *day)).label("day"),
                   _count_if(_within(Visit.visited_at, *month)).label("month"))
            .join(Enterprise, Enterprise.id == Visit.enterprise_id)
            .where(Visit.visited_at >= month[0], Visit.visited_at < month[1]))
    stmt = frame.scope(stmt, Enterprise.region_id, by_child)
    return {row.child_id: {"day": int(row.day), "month": int(row.month)} for row in db.session.execute(stmt)}


def _key_enterprises(frame: _Frame, by_child: bool, month) -> dict[int, dict]:
    visited = exists().where(Visit.enterprise_id == Enterprise.id, _within(Visit.visited_at, *month))
    stmt = (select(frame.key(by_child), func.count(Enterprise.id).label("total"),
                   _count_if(visited).label("visited"))
            .join(EnterpriseTag, and_(EnterpriseTag.enterprise_id == Enterprise.id, EnterpriseTag.tag == "key")))
    stmt = frame.scope(stmt, Enterprise.region_id, by_child)
    return {row.child_id: {"total": int(row.total), "visited_this_month": int(row.visited)}
            for row in db.session.execute(stmt)}


def dashboard(*, actor: Actor, region: int | None = None, day: date | None = None) -> dict:
    root = report_region(actor, region)
    day = day or local_today()
    day_span = day_bounds_utc(day)
    month_span = (day_bounds_utc(day.replace(day=1))[0], day_span[1])
    now = utcnow()
    at = min(now, day_span[1])
    frame = _Frame(root)
    children = list(db.session.scalars(select(Region).where(Region.parent_id == root.id).order_by(Region.code)))

    problems = _problems(frame, False, day_span, at)
    child_problems = _problems(frame, True, day_span, at)
    visits = _visits(frame, False, day_span, month_span)
    child_visits = _visits(frame, True, day_span, month_span)
    keys = _key_enterprises(frame, False, month_span)
    child_keys = _key_enterprises(frame, True, month_span)
    by_status = dict(db.session.execute(
        select(Enterprise.operating_status, func.count(Enterprise.id))
        .where(Enterprise.region_id.in_(subtree_region_ids(root.path))).group_by(Enterprise.operating_status)).all())
    warnings = dict(db.session.execute(
        select(Warning.severity, func.count(Warning.id))
        .where(Warning.state == "open", Warning.region_id.in_(subtree_region_ids(root.path)))
        .group_by(Warning.severity)).all())

    no_visits = {"day": 0, "month": 0}
    no_keys = {"total": 0, "visited_this_month": 0}
    return {
        "region": region_brief(root),
        "date": day.isoformat(),
        "problems": _problem_block(problems.get(0)),
        "visits": visits.get(0, no_visits),
        "key_enterprises": keys.get(0, no_keys),
        "enterprises_by_status": {s: int(by_status.get(s, 0)) for s in OPERATING_STATUSES},
        "warnings_open": {s: int(warnings.get(s, 0)) for s in SEVERITIES},
        "children": [{"region": region_brief(child), "problems": _problem_block(child_problems.get(child.id)),
                      "visits": child_visits.get(child.id, no_visits),
                      "key_enterprises": child_keys.get(child.id, no_keys)} for child in children],
    }
