"""The reference: services/dashboard.py as it was before the kept figures (issue 18), aggregating the ledger
per child region at every request. The tests hold the kept figures and the grouped reads to giving exactly this
dashboard. The blocks services.dashboard still computes the same way are imported from it; those it now reads
differently are kept here as they were: the problems, visits and operating statuses (before the kept figures),
the warnings, key enterprises and tasks (one query per level, the enterprise's region path joined to the
child region), and the 对接 row (services/needs/figures.py's four queries per region)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from services.actors import Actor, within_region
from services.db import db, utcnow
from services.models import (
    Department, EarlyWarning, Enterprise, EnterpriseChange, EnterpriseTag, Problem, ProblemEvent, Region, Task, Visit,
)
from services.models.enterprises import OPERATING_STATUSES
from services.models.monitoring import SEVERITIES
from services.models.tasks import OPEN_TASK_STATUSES, TASK_STATUSES
from services.needs.figures import _block
from services.models.problems import OPEN
from services.problems import stints
from services.reporting import days_between, region_brief, report_region
from services.timeutil import day_bounds_utc, local_today
from services.dashboard import (  # the blocks unchanged since: the same code, not a copy
    _count_if, _empty_problem_sums, _empty_tasks, _problem_block, _within,
)

EXCLUDED_FROM_CLOSURE = ("rejected", "withdrawn")


class _Frame:
    """Enterprises of a region's subtree, optionally labelled with the direct child region holding them."""

    def __init__(self, root: Region):
        self.root = root
        self.child = aliased(Region, name="child")
        self.own = aliased(Region, name="own")

    def scope(self, stmt, enterprise_region, by_child: bool):
        if not by_child:
            return stmt.where(within_region(enterprise_region, self.root.path))
        return (stmt.join(self.own, self.own.id == enterprise_region)
                .join(self.child, and_(self.child.parent_id == self.root.id,
                                       self.own.path.startswith(self.child.path)))
                .group_by(self.child.id))

    def key(self, by_child: bool):
        return self.child.id.label("child_id") if by_child else literal(0).label("child_id")


def _warnings(frame: _Frame, by_child: bool, end: datetime) -> dict[int, dict]:
    """Warnings open (neither acknowledged nor closed) at the end of the day, by severity."""
    open_then = and_(EarlyWarning.opened_at < end, or_(
        EarlyWarning.state == "open",
        and_(EarlyWarning.state == "acknowledged", EarlyWarning.acknowledged_at >= end),
        and_(EarlyWarning.state == "closed", EarlyWarning.closed_at >= end,
             or_(EarlyWarning.acknowledged_at.is_(None), EarlyWarning.acknowledged_at >= end))))
    stmt = (select(frame.key(by_child), EarlyWarning.severity, func.count(EarlyWarning.id).label("n"))
            .where(open_then).group_by(EarlyWarning.severity))
    stmt = frame.scope(stmt, EarlyWarning.region_id, by_child)
    out: dict[int, dict] = {}
    for row in db.session.execute(stmt):
        out.setdefault(row.child_id, dict.fromkeys(SEVERITIES, 0))[row.severity] += int(row.n)
    return out


def _key_enterprises(frame: _Frame, by_child: bool, month) -> dict[int, dict]:
    visited = exists().where(Visit.enterprise_id == Enterprise.id, _within(Visit.visited_at, *month))
    stmt = (select(frame.key(by_child), func.count(Enterprise.id).label("total"),
                   _count_if(visited).label("visited"))
            .join(EnterpriseTag, and_(EnterpriseTag.enterprise_id == Enterprise.id, EnterpriseTag.tag == "key")))
    stmt = frame.scope(stmt, Enterprise.region_id, by_child)
    return {row.child_id: {"total": int(row.total), "visited_this_month": int(row.visited)}
            for row in db.session.execute(stmt)}


def _tasks(frame: _Frame, by_child: bool, end: datetime, at: datetime) -> dict[int, dict]:
    """Tasks of the subtree's problems dispatched by `end`, by current status; open and overdue per department."""
    is_open = Task.status.in_(OPEN_TASK_STATUSES)
    late = and_(is_open, Task.due_at < at)
    sign_late = and_(Task.status.in_(("dispatched", "reopened")), Task.sign_due_at < at)

    def scoped(*columns):
        stmt = (select(frame.key(by_child), *columns).select_from(Task)
                .join(Problem, Problem.id == Task.problem_id).join(Enterprise, Enterprise.id == Problem.enterprise_id)
                .where(Task.dispatched_at < end))
        return frame.scope(stmt, Enterprise.region_id, by_child)

    out: dict[int, dict] = {}

    def block(key: int) -> dict:
        return out.setdefault(key, {"total": 0, "by_status": dict.fromkeys(TASK_STATUSES, 0), "overdue": 0,
                                    "sign_overdue": 0, "by_department": []})

    for key, status, count, signs in db.session.execute(
            scoped(Task.status, func.count(Task.id), _count_if(sign_late)).group_by(Task.status)):
        figures = block(key)
        figures["by_status"][status] = int(count)
        figures["total"] += int(count)
        figures["sign_overdue"] += int(signs)
    for key, department_id, name, open_count, overdue in db.session.execute(
            scoped(Department.id, Department.name, _count_if(is_open), _count_if(late))
            .join(Department, Department.id == Task.department_id)
            .group_by(Department.id, Department.name).order_by(Department.id)):
        figures = block(key)
        figures["by_department"].append({"department_id": department_id, "department_name": name,
                                         "open": int(open_count), "overdue": int(overdue)})
        figures["overdue"] += int(overdue)
    return out


def dashboard_block(root: Region, start: datetime, end: datetime) -> dict:
    """The dashboard's 对接 row as services/needs/figures.py computed it per region (4 queries each)."""
    block = _block(root, start, end, with_sessions=False)
    return {"open_by_kind": {kind: counts["open"] + counts["matched"] for kind, counts in block["needs"]["by_kind"].items()},
            "new": sum(block["needs"]["new"].values()), "financing_asked_10k": block["financing"]["asked_10k"],
            "financing_granted_10k": block["financing"]["granted_10k"], "posts_asked": block["labor"]["posts_asked"],
            "posts_filled": block["labor"]["posts_filled"], "matches_signed": block["matches"]["signed"]}


def _as_of(column, end: datetime):
    """The value an event column had at `end`: that of the last event before it (else None)."""
    return (select(column).where(ProblemEvent.problem_id == Problem.id, ProblemEvent.at < end)
            .order_by(ProblemEvent.at.desc(), ProblemEvent.id.desc()).limit(1).correlate(Problem).scalar_subquery())


def _problems(frame: _Frame, by_child: bool, day: tuple[datetime, datetime], at: datetime) -> dict[int, dict]:
    """Problems filed by the end of the day, each with the status and level it had then (from its
    timeline); overdue = open then, with a stint overdue as of then (a stint that moved on still counts)."""
    end = day[1]
    status = func.coalesce(_as_of(ProblemEvent.to_status, end), Problem.status)
    level = func.coalesce(_as_of(ProblemEvent.to_level, end), Problem.level)
    rows = (select(Problem.id, Enterprise.region_id.label("region_id"), status.label("status"),
                   Problem.category.label("category"), level.label("level"), Problem.created_at, Problem.accepted_at,
                   Problem.resolved_at, Problem.closed_at,
                   case((stints.has_overdue_stint(at), 1), else_=0).label("late"))
            .join(Enterprise, Enterprise.id == Problem.enterprise_id)
            .where(Problem.created_at < end)).subquery()
    closed = and_(rows.c.status == "closed", rows.c.closed_at.is_not(None))
    stmt = (select(frame.key(by_child), rows.c.status, rows.c.category, rows.c.level,
                   func.count(rows.c.id).label("n"),
                   _count_if(_within(rows.c.created_at, *day)).label("new"),
                   _count_if(_within(rows.c.accepted_at, *day)).label("accepted"),
                   _count_if(_within(rows.c.resolved_at, *day)).label("resolved"),
                   _count_if(_within(rows.c.closed_at, *day)).label("closed_today"),
                   _count_if(and_(rows.c.status.in_(OPEN), rows.c.late == 1)).label("overdue"),
                   func.coalesce(func.sum(case((closed, days_between(rows.c.created_at, rows.c.closed_at)),
                                               else_=0)), 0).label("close_days"))
            .group_by(rows.c.status, rows.c.category, rows.c.level))
    stmt = frame.scope(stmt, rows.c.region_id, by_child)
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


def _operating_status(frame: _Frame, by_child: bool, day: date, end: datetime) -> dict[int, dict]:
    """Enterprises existing at the end of the day by the operating status they had then: the last
    recorded change before it, else the first change after it tells what it was, else today's."""
    change = aliased(EnterpriseChange)
    later = aliased(EnterpriseChange)
    before = (select(change.new_value).where(change.enterprise_id == Enterprise.id, change.field == "operating_status",
                                             change.changed_at < end)
              .order_by(change.changed_at.desc(), change.id.desc()).limit(1).correlate(Enterprise).scalar_subquery())
    after = (select(later.old_value).where(later.enterprise_id == Enterprise.id, later.field == "operating_status",
                                           later.changed_at >= end)
             .order_by(later.changed_at, later.id).limit(1).correlate(Enterprise).scalar_subquery())
    rows = (select(Enterprise.id, Enterprise.region_id.label("region_id"),
                   func.coalesce(before, after, Enterprise.operating_status).label("status"))
            .where(or_(Enterprise.registered_on.is_(None), Enterprise.registered_on <= day),
                   or_(Enterprise.deregistered_on.is_(None), Enterprise.deregistered_on > day))).subquery()
    stmt = select(frame.key(by_child), rows.c.status, func.count(rows.c.id).label("n")).group_by(rows.c.status)
    stmt = frame.scope(stmt, rows.c.region_id, by_child)
    out: dict[int, dict] = {}
    for row in db.session.execute(stmt):
        if row.status in OPERATING_STATUSES:
            out.setdefault(row.child_id, dict.fromkeys(OPERATING_STATUSES, 0))[row.status] += int(row.n)
    return out


def _visits(frame: _Frame, by_child: bool, day, month) -> dict[int, dict]:
    stmt = (select(frame.key(by_child), _count_if(_within(Visit.visited_at, *day)).label("day"),
                   _count_if(_within(Visit.visited_at, *month)).label("month"))
            .join(Enterprise, Enterprise.id == Visit.enterprise_id)
            .where(Visit.visited_at >= month[0], Visit.visited_at < month[1]))
    stmt = frame.scope(stmt, Enterprise.region_id, by_child)
    return {row.child_id: {"day": int(row.day), "month": int(row.month)} for row in db.session.execute(stmt)}


def dashboard(*, actor: Actor, region: int | None = None, day: date | None = None,
              now: datetime | None = None) -> dict:
    """The day's figures of a region and of each child: problems, visits, key enterprises, statuses, warnings.
    Raises Forbidden (role without reports), NotFound (region out of scope)."""
    root = report_region(actor, region)
    day = day or local_today()
    day_span = day_bounds_utc(day)
    month_span = (day_bounds_utc(day.replace(day=1))[0], day_span[1])
    now = now or utcnow()
    at = min(now, day_span[1])
    frame = _Frame(root)
    children = list(db.session.scalars(select(Region).where(Region.parent_id == root.id).order_by(Region.code)))

    problems = _problems(frame, False, day_span, at)
    child_problems = _problems(frame, True, day_span, at)
    visits = _visits(frame, False, day_span, month_span)
    child_visits = _visits(frame, True, day_span, month_span)
    keys = _key_enterprises(frame, False, month_span)
    child_keys = _key_enterprises(frame, True, month_span)
    statuses = _operating_status(frame, False, day, day_span[1])
    child_statuses = _operating_status(frame, True, day, day_span[1])
    tasks = _tasks(frame, False, day_span[1], at)
    child_tasks = _tasks(frame, True, day_span[1], at)
    warnings = _warnings(frame, False, day_span[1])
    child_warnings = _warnings(frame, True, day_span[1])

    no_visits = {"day": 0, "month": 0}
    no_keys = {"total": 0, "visited_this_month": 0}
    no_statuses = dict.fromkeys(OPERATING_STATUSES, 0)
    no_warnings = dict.fromkeys(SEVERITIES, 0)

    def figures(key: int) -> dict:
        source = (problems, visits, keys, statuses, warnings) if key == 0 else (
            child_problems, child_visits, child_keys, child_statuses, child_warnings)
        return {"problems": _problem_block(source[0].get(key)), "visits": source[1].get(key, no_visits),
                "key_enterprises": source[2].get(key, no_keys),
                "enterprises_by_status": source[3].get(key, no_statuses),
                "warnings_open": source[4].get(key, no_warnings),
                "tasks": (tasks if key == 0 else child_tasks).get(key) or _empty_tasks()}

    return {
        "region": region_brief(root),
        "date": day.isoformat(),
        **figures(0),
        "needs": dashboard_block(root, month_span[0], min(at, month_span[1])),
        "children": [{"region": region_brief(child), **figures(child.id),
                      "needs": dashboard_block(child, month_span[0], min(at, month_span[1]))} for child in children],
    }
