"""日调度: the daily dispatch dashboard of a region, in a fixed number of aggregate queries.

The problem, visit and operating-status figures come from the figures the write path keeps (services.figures): a few rows
per region and day, whatever the ledger holds. tests/services/dashboard/reference.py keeps the timeline
query they replaced, and the tests show both give the same dashboard.

Answers are kept (per process, `configure`): an answer is given again while nothing it shows can have changed —
the subtree's change counts (`v.changes`, which every transaction changing a region's figures, warnings or needs
adds to in the same upsert, and a region or department written adds to everywhere) are what they were, read
before anything else of the answer, and no moment of the subtree that changes it with nothing written (a problem's
or a task's overdue moment, a need's or need event's time) has come since it was computed. With `verify` on (the
test suite) every answer given again is computed too and compared (docs/scale.md "Answers kept")."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select, union_all

from services.actors import Actor
from services.db import db, utcnow
from services.figures import BASE, OVERDUE_HOUR, VERSION, overdue_hour
from services.models import (
    Department, EarlyWarning, Need, NeedEvent, ProblemFigure, Region, RegionDayFigure, TaskFigure,
)
from services.models.tasks import OPEN_TASK_STATUSES, TASK_STATUSES
from services.models.enterprises import OPERATING_STATUSES
from services.models.monitoring import SEVERITIES
from services.models.problems import PROBLEM_CATEGORIES, PROBLEM_STATUSES
from services.needs.figures import dashboard_blocks
from services.models.reference import REGION_LEVELS
from services.reporting import ratio, region_brief, report_region
from services.timeutil import day_bounds_utc, local_today
from services.timeutil import zone as configured_zone

EXCLUDED_FROM_CLOSURE = ("rejected", "withdrawn")


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _within(column, start: datetime, end: datetime):
    return and_(column >= start, column < end)


def _regions(root: Region) -> dict[int, int]:
    """Every region of the root's subtree → the direct child holding it (0: the root itself)."""
    out = {}
    for region_id, path in db.session.execute(select(Region.id, Region.path).where(
            Region.path.startswith(root.path, autoescape=True))):
        below = path[len(root.path):].strip("/").split("/")
        out[region_id] = int(below[0]) if below[0] else 0
    return out


# The only figures the dashboard shows for the month so far; the other `p.*` figures are shown for the day.
MONTH_FIGURES = ("p.visits", "p.key_visited")


def _kept(regions: dict[int, int], day: date, month_start: date) -> dict[int, Counter]:
    """The kept figures of the day per key (0: the whole subtree; else the child): running counts (`c.*`) at
    the end of the day, what happened on the day (`p.*`) and the visits of the month so far (`p.visits.month`,
    `p.key_visited.month`). Per region, index ranges on the day only, and only the rows an answer needs: the BASE
    rows, the running counts' changes after the day (taken back), the day's rows, and the month's earlier days
    of the two month figures. One grouped read of their union, folded into the children in Python (grouping by
    child in SQL, a CASE on the region, measured slower on SQLite)."""
    table = RegionDayFigure.__table__
    ids = sorted(regions)

    def part(*where):
        return select(table.c.region_id, table.c.day, table.c.name, table.c.n).where(table.c.region_id.in_(ids),
                                                                                     *where)

    rows = union_all(part(table.c.day == BASE),
                     part(table.c.day > day, table.c.name.startswith("c.")),
                     part(table.c.day == day),
                     part(table.c.day >= month_start, table.c.day < day, table.c.name.in_(MONTH_FIGURES))).subquery()
    figure = rows.c
    running = case((figure.day == BASE, figure.n), (figure.day > day, -figure.n), else_=0)
    stmt = (select(figure.region_id, figure.name, func.sum(running), func.sum(case((figure.day == day, figure.n),
                                                                                   else_=0)),
                   func.sum(case((and_(figure.day >= month_start, figure.day <= day), figure.n), else_=0)))
            .group_by(figure.region_id, figure.name))
    out: dict[int, Counter] = {0: Counter()}
    whole = out[0]
    for region_id, name, total, on_day, in_month in db.session.execute(stmt):
        if name == VERSION:
            continue
        child = regions[region_id]
        targets = (whole,) if child == 0 else (whole, out[child] if child in out else out.setdefault(child, Counter()))
        if name[0] == "c":  # c.*: a running count
            total = int(total or 0)
            for sums in targets:
                sums[name] += total
        else:
            on_day = int(on_day or 0)
            for sums in targets:
                sums[name] += on_day
            if name in MONTH_FIGURES:
                in_month, month_name = int(in_month or 0), f"{name}.month"
                for sums in targets:
                    sums[month_name] += in_month
    return out


def _not_overdue_yet(regions: dict[int, int], kept: dict[int, Counter], day: date, at: datetime,
                     end: datetime) -> None:
    """Today: take back the problems the kept figures count as overdue by the end of the day whose deadline
    is still to come (`at` is now). The hours of today after the current one come from the kept rows
    (`p.overdue_hour.<h>`: what the problems turning overdue in hour h count); the rest of the current hour
    (or all of a later day's range) is an index range on problem_figures.overdue_from."""
    if at >= end:
        return
    zone = configured_zone()
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    until = end
    if at >= start:
        hour = overdue_hour(at, day, zone)
        until = min(end, start + timedelta(hours=hour + 1))
        later = [f"{OVERDUE_HOUR}{h}" for h in range(hour + 1, 26)]  # a local day has at most 25 hours
        for sums in kept.values():
            sums["c.overdue"] -= sum(sums.get(name, 0) for name in later)
    if at >= until:
        return
    rows = db.session.execute(select(ProblemFigure.region_id, ProblemFigure.marks).where(
        ProblemFigure.overdue_from >= at, ProblemFigure.overdue_from < until,
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


def _fold(regions: dict[int, int], region_id: int) -> set[int]:
    """The keys a region's row adds to: the whole subtree (0) and the direct child holding it."""
    return {0, regions[region_id]}


def _warnings(regions: dict[int, int], end: datetime) -> dict[int, dict]:
    """Warnings open (neither acknowledged nor closed) at the end of the day, by severity: one query grouped by
    the warning's region, folded into the subtree and its children."""
    open_then = and_(EarlyWarning.opened_at < end, or_(
        EarlyWarning.state == "open",
        and_(EarlyWarning.state == "acknowledged", EarlyWarning.acknowledged_at >= end),
        and_(EarlyWarning.state == "closed", EarlyWarning.closed_at >= end,
             or_(EarlyWarning.acknowledged_at.is_(None), EarlyWarning.acknowledged_at >= end))))
    stmt = (select(EarlyWarning.region_id, EarlyWarning.severity, func.count(EarlyWarning.id))
            .where(open_then, EarlyWarning.region_id.in_(sorted(regions)))
            .group_by(EarlyWarning.region_id, EarlyWarning.severity))
    out: dict[int, dict] = {}
    for region_id, severity, n in db.session.execute(stmt):
        for key in _fold(regions, region_id):
            out.setdefault(key, dict.fromkeys(SEVERITIES, 0))[severity] += int(n)
    return out


def _tasks_not_overdue_yet(regions: dict[int, int], kept: dict[int, Counter], day: date, at: datetime,
                           end: datetime) -> None:
    """Today: take back the tasks the kept figures count as overdue (or sign-overdue) by the end of the day whose
    deadline is still to come (`at` is now): index ranges on task_figures.overdue_from / sign_overdue_from."""
    if at >= end:
        return
    figure = TaskFigure
    rows = db.session.execute(select(figure.region_id, figure.overdue_from, figure.sign_overdue_from, figure.marks)
                              .where(or_(_within(figure.overdue_from, at, end),
                                         _within(figure.sign_overdue_from, at, end)),
                                     figure.region_id.in_(sorted(regions))))
    iso = day.isoformat()
    for region_id, late_from, sign_from, marks in rows:
        late_yet = late_from is not None and at <= late_from < end
        sign_yet = sign_from is not None and at <= sign_from < end
        for when, name, n in marks:
            if when > iso or not ((late_yet and name.startswith("c.task_late.")) or
                                  (sign_yet and name == "c.task_sign_late")):
                continue
            for key in _fold(regions, region_id):
                kept.setdefault(key, Counter())[name] -= n


def _tasks(kept: dict[int, Counter]) -> dict[int, dict]:
    """Tasks of the subtree's problems dispatched by the end of the day, by current status; open and overdue per
    department; awaiting signature past the signing deadline: from the kept figures (`c.task*`, services.figures
    task_share), plus one read of the departments' names."""
    out: dict[int, dict] = {}
    departments: dict[int, dict[int, dict]] = {}
    for key, figures in kept.items():
        for name, n in figures.items():
            if not n or not name.startswith("c.task"):
                continue
            block = out.get(key)
            if block is None:
                block = out[key] = _empty_tasks()
            if name == "c.task_sign_late":
                block["sign_overdue"] += n
                continue
            kind, _, department = name.rpartition(".")
            rows = departments.get(key)
            if rows is None:
                rows = departments[key] = {}
            row = rows.get(int(department))
            if row is None:
                row = rows[int(department)] = {"open": 0, "overdue": 0}
            if kind == "c.task_late":
                row["overdue"] += n
                block["overdue"] += n
                continue
            status = kind[len("c.task."):]
            block["by_status"][status] = block["by_status"].get(status, 0) + n
            block["total"] += n
            row["dispatched"] = row.get("dispatched", 0) + n
            if status in OPEN_TASK_STATUSES:
                row["open"] += n
    wanted = sorted({d for rows in departments.values() for d in rows})
    names = dict(db.session.execute(select(Department.id, Department.name).where(Department.id.in_(wanted))).all()
                 ) if wanted else {}
    for key, rows in departments.items():
        block = out[key]
        block["by_department"] = [{"department_id": d, "department_name": names.get(d), "open": rows[d]["open"],
                                   "overdue": rows[d]["overdue"]} for d in sorted(rows) if rows[d].get("dispatched")]
    return {key: block for key, block in out.items() if block["total"]}


def _empty_tasks() -> dict:
    return {"total": 0, "by_status": dict.fromkeys(TASK_STATUSES, 0), "overdue": 0, "sign_overdue": 0,
            "by_department": []}


@dataclass
class Settings:
    entries: int = 256  # answers kept per process (a region and a day each)
    verify: bool = False  # compute every answer given again and compare (the test suite)


settings = Settings()


def configure(**values) -> None:
    """Set how many answers a process keeps and whether they are verified, at start-up."""
    for key, value in values.items():
        setattr(settings, key, type(getattr(settings, key))(value))
    forget()


@dataclass
class Answer:
    """One region's dashboard of one day as computed at `at`; it holds for later moments up to `until` (the next
    moment of the subtree that changes it, _next_moment; None: none left that day) while the subtree's change
    counts are `counts`."""
    data: dict
    counts: dict[int, int]
    at: datetime
    until: datetime | None
    body: bytes | None = None  # the response's body, made once by the API


class _Kept:
    def __init__(self):
        self.answers: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key) -> Answer | None:
        with self.lock:
            held = self.answers.get(key)
            if held is not None:
                self.answers.move_to_end(key)
            return held

    def put(self, key, answer: Answer) -> None:
        with self.lock:
            self.answers[key] = answer
            self.answers.move_to_end(key)
            while len(self.answers) > max(settings.entries, 0):
                self.answers.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.answers.clear()


_kept_answers = _Kept()


def forget() -> None:
    """Drop every kept answer (the test suite between tests; a restore of the database under a running process
    is followed by a restart, which does the same)."""
    _kept_answers.clear()


def _change_counts(root: Region) -> dict[int, int]:
    """The subtree's `v.changes`, region by region (one grouped read; a region never changed has none)."""
    figure = RegionDayFigure
    return dict(db.session.execute(
        select(figure.region_id, figure.n).join(Region, Region.id == figure.region_id)
        .where(Region.path.startswith(root.path, autoescape=True), figure.day == BASE, figure.name == VERSION)).all())


def _next_moment(regions: dict[int, int], at: datetime, end: datetime) -> datetime | None:
    """The first moment in [at, end) at which today's answer of the subtree would change with nothing written:
    a problem or task turning overdue (or sign-overdue), or a need or need event whose time is reached (the 对接
    block counts those before the answer's moment). None: no such moment left in the day. One statement."""
    if at >= end:
        return None
    ids = sorted(regions)

    def first(column, region, *joined):
        stmt = select(func.min(column))
        for target, on in joined:
            stmt = stmt.join(target, on)
        return stmt.where(column >= at, column < end, region.in_(ids)).scalar_subquery()

    moments = db.session.execute(select(
        first(ProblemFigure.overdue_from, ProblemFigure.region_id),
        first(TaskFigure.overdue_from, TaskFigure.region_id),
        first(TaskFigure.sign_overdue_from, TaskFigure.region_id),
        first(Need.created_at, Need.region_id),
        first(NeedEvent.at, Need.region_id, (Need, Need.id == NeedEvent.need_id)))).one()
    found = [moment for moment in moments if moment is not None]
    return min(found) if found else None


def answer(*, actor: Actor, region: int | None = None, day: date | None = None,
           now: datetime | None = None) -> Answer:
    """The day's figures of a region and of each child (see dashboard), kept and given again while they hold.
    Raises Forbidden (role without reports), NotFound (region out of scope)."""
    root = report_region(actor, region)
    day = day or local_today()
    end = day_bounds_utc(day)[1]
    at = min(now or utcnow(), end)
    counts = _change_counts(root)  # first: every row read after it is at least as new as these counts
    key = (db.engine.url, root.id, day)
    held = _kept_answers.get(key)
    if (held is not None and held.counts == counts and held.at <= at
            and (held.until is None or at <= held.until)):
        if settings.verify:
            computed, _ = _compute(root, day, at)
            if computed != held.data:
                raise AssertionError(f"日调度：区划 {root.id} {day} 保留的结果与重新计算的不同")
        return held
    data, regions = _compute(root, day, at)
    fresh = Answer(data=data, counts=counts, at=at, until=_next_moment(regions, at, end))
    _kept_answers.put(key, fresh)
    return fresh


def dashboard(*, actor: Actor, region: int | None = None, day: date | None = None,
              now: datetime | None = None) -> dict:
    """The day's figures of a region and of each child: problems, visits, key enterprises, statuses, warnings.
    Raises Forbidden (role without reports), NotFound (region out of scope). The dict is shared with the kept
    answer: read it, do not change it."""
    return answer(actor=actor, region=region, day=day, now=now).data


def _compute(root: Region, day: date, at: datetime) -> tuple[dict, dict[int, int]]:
    """The answer of `root` on `day` at the moment `at` (at most the day's end), and the subtree it covered."""
    day_span = day_bounds_utc(day)
    month_span = (day_bounds_utc(day.replace(day=1))[0], day_span[1])
    children = list(db.session.scalars(select(Region).where(Region.parent_id == root.id).order_by(Region.code)))
    regions = _regions(root)
    kept = _kept(regions, day, day.replace(day=1))
    _not_overdue_yet(regions, kept, day, at, day_span[1])
    _tasks_not_overdue_yet(regions, kept, day, at, day_span[1])
    tasks = _tasks(kept)
    warnings = _warnings(regions, day_span[1])
    needs = dashboard_blocks(regions, month_span[0], min(at, month_span[1]))

    no_warnings = dict.fromkeys(SEVERITIES, 0)

    def figures(key: int) -> dict:
        figures = kept.get(key) or Counter()
        return {"problems": _problem_block(_problem_sums(kept.get(key))),
                "visits": {"day": figures["p.visits"], "month": figures["p.visits.month"]},
                "key_enterprises": {"total": figures["c.key"], "visited_this_month": figures["p.key_visited.month"]},
                "enterprises_by_status": {status: figures[f"c.operating.{status}"] for status in OPERATING_STATUSES},
                "warnings_open": warnings.get(key, no_warnings),
                "tasks": tasks.get(key) or _empty_tasks(),
                "needs": needs[key]}

    return {
        "region": region_brief(root),
        "date": day.isoformat(),
        **figures(0),
        "children": [{"region": region_brief(child), **figures(child.id)} for child in children],
    }, regions
