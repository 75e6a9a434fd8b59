"""日调度: the daily dispatch dashboard of a region, in a fixed number of aggregate queries.

The problem, visit and operating-status figures come from the figures the write path keeps (services.figures): a few rows
per region and day, whatever the ledger holds. tests/services/dashboard/reference.py keeps the timeline
query they replaced, and the tests show both give the same dashboard."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from services.actors import Actor, within_region
from services.db import db, utcnow
from services.figures import BASE
from services.models import (
    Department, EarlyWarning, Enterprise, EnterpriseTag, Problem, ProblemFigure, Region,
    RegionDayFigure, Task, Visit,
)
from services.models.tasks import OPEN_TASK_STATUSES, TASK_STATUSES
from services.models.enterprises import OPERATING_STATUSES
from services.models.monitoring import SEVERITIES
from services.models.problems import PROBLEM_CATEGORIES, PROBLEM_STATUSES
from services.models.reference import REGION_LEVELS
from services.reporting import ratio, region_brief, report_region
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
            return stmt.where(within_region(enterprise_region, self.root.path))
        return (stmt.join(self.own, self.own.id == enterprise_region)
                .join(self.child, and_(self.child.parent_id == self.root.id,
                                       self.own.path.startswith(self.child.path)))
                .group_by(self.child.id))

    def key(self, by_child: bool):
        return self.child.id.label("child_id") if by_child else literal(0).label("child_id")


def _regions(root: Region) -> dict[int, int]:
    """Every region of the root's subtree → the direct child holding it (0: the root itself)."""
    out = {}
    for region_id, path in db.session.execute(select(Region.id, Region.path).where(
            Region.path.startswith(root.path, autoescape=True))):
        below = path[len(root.path):].strip("/").split("/")
        out[region_id] = int(below[0]) if below[0] else 0
    return out


def _kept(regions: dict[int, int], day: date, month_start: date) -> dict[int, Counter]:
    """The kept figures of the day per key (0: the whole subtree; else the child): running counts (`c.*`) at
    the end of the day, what happened on the day (`p.*`) and the visits of the month so far (`p.visits.month`)."""
    figure = RegionDayFigure
    running = case((figure.day == BASE, figure.n), (figure.day > day, -figure.n), else_=0)
    stmt = (select(figure.region_id, figure.name, func.sum(running), func.sum(case((figure.day == day, figure.n),
                                                                                   else_=0)),
                   func.sum(case((and_(figure.day >= month_start, figure.day <= day), figure.n), else_=0)))
            .where(figure.region_id.in_(sorted(regions)), or_(figure.day == BASE, figure.day >= month_start))
            .group_by(figure.region_id, figure.name))
    out: dict[int, Counter] = {0: Counter()}
    for region_id, name, total, on_day, in_month in db.session.execute(stmt):
        keys = {0, regions[region_id]}
        for key in keys:
            sums = out.setdefault(key, Counter())
            if name.startswith("c."):
                sums[name] += int(total or 0)
            else:
                sums[name] += int(on_day or 0)
                sums[f"{name}.month"] += int(in_month or 0)
    return out


def _not_overdue_yet(regions: dict[int, int], kept: dict[int, Counter], day: date, at: datetime,
                     end: datetime) -> None:
    """Today: take back the problems the kept figures count as overdue by the end of the day whose deadline
    is still to come (`at` is now): an index range on problem_figures.overdue_from."""
    if at >= end:
        return
    rows = db.session.execute(select(ProblemFigure.region_id, ProblemFigure.marks).where(
        ProblemFigure.overdue_from >= at, ProblemFigure.overdue_from < end,
        ProblemFigure.region_id.in_(sorted(regions))))
    iso = day.isoformat()
    for region_id, marks in rows:
        counted = sum(n for when, name, n in marks if name == "c.overdue" and when <= iso)
        for key in {0, regions[region_id]}:
            kept.setdefault(key, Counter())["c.overdue"] -= counted


def _problem_sums(kept: Counter | None) -> dict:
    """The problem figures of one key from its kept figures (the same as the timeline query gives)."""
    sums = _empty_problem_sums()
    for name, n in (kept or {}).items():
        for prefix, block in (("c.status.", "by_status"), ("c.category.", "by_category"), ("c.level.", "by_level")):
            if name.startswith(prefix):
                value = name[len(prefix):]
                if value in sums[block] or n:
                    sums[block][value] = sums[block].get(value, 0) + n
    kept = kept or {}
    sums.update(total=kept.get("c.total", 0), new=kept.get("p.new", 0), accepted=kept.get("p.accepted", 0),
                resolved=kept.get("p.resolved", 0), closed=kept.get("p.closed", 0),
                overdue=kept.get("c.overdue", 0), close_days=kept.get("c.close_us", 0) / 86_400_000_000)
    return sums


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


def _empty_tasks() -> dict:
    return {"total": 0, "by_status": dict.fromkeys(TASK_STATUSES, 0), "overdue": 0, "sign_overdue": 0,
            "by_department": []}


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

    regions = _regions(root)
    kept = _kept(regions, day, day.replace(day=1))
    _not_overdue_yet(regions, kept, day, at, day_span[1])
    keys = _key_enterprises(frame, False, month_span)
    child_keys = _key_enterprises(frame, True, month_span)
    tasks = _tasks(frame, False, day_span[1], at)
    child_tasks = _tasks(frame, True, day_span[1], at)
    warnings = _warnings(frame, False, day_span[1])
    child_warnings = _warnings(frame, True, day_span[1])

    no_keys = {"total": 0, "visited_this_month": 0}
    no_warnings = dict.fromkeys(SEVERITIES, 0)

    def figures(key: int) -> dict:
        source = (keys, warnings) if key == 0 else (child_keys, child_warnings)
        figures = kept.get(key) or Counter()
        return {"problems": _problem_block(_problem_sums(kept.get(key))),
                "visits": {"day": figures["p.visits"], "month": figures["p.visits.month"]},
                "key_enterprises": source[0].get(key, no_keys),
                "enterprises_by_status": {status: figures[f"c.operating.{status}"] for status in OPERATING_STATUSES},
                "warnings_open": source[1].get(key, no_warnings),
                "tasks": (tasks if key == 0 else child_tasks).get(key) or _empty_tasks()}

    from services.needs.figures import dashboard_block

    return {
        "region": region_brief(root),
        "date": day.isoformat(),
        **figures(0),
        "needs": dashboard_block(root, month_span[0], min(at, month_span[1])),
        "children": [{"region": region_brief(child), **figures(child.id),
                      "needs": dashboard_block(child, month_span[0], min(at, month_span[1]))} for child in children],
    }
