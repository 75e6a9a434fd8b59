"""日调度 figures kept by the write path, so the dashboard reads a few hundred narrow rows whatever the ledger holds.

Each problem adds to its enterprise's region — the problem's own scope columns (problems.county_id, else
prefecture_id, else province_id: copied from the enterprise at filing and whenever it moves, see
services/problems/scope.py), no join to the enterprise: for every local
day from its filing on, the running counts the dashboard shows for that day — filed by then (`c.total`), by
the status and level its timeline had at the end of the day (`c.status.*`, `c.level.*`), by category
(`c.category.*`), open and overdue at the end of the day (`c.overdue`), and the time to close of those closed
then (`c.close_us`, microseconds) — stored as *changes* on the days they change; and on single days what
happened then (`p.new`, `p.accepted`, `p.resolved`, `p.closed`). Visits add `p.visits` on their day.

The write path keeps them: the session remembers the problems a transaction touched (the problem, its events,
its stints) and, just before the commit, computes each one's share again from its rows, takes back the share
it had (`problem_figures.marks`) and adds the new one with `INSERT … ON CONFLICT DO UPDATE SET n = n + …`
in the writer's own transaction, rows in key order (writers of one county never deadlock). `rebuild()`
computes everything from the rows (the data migration, `flask figures rebuild`, the bulk generator).

The clock: a problem is overdue from a moment fixed by its stints (`overdue_from`, see services.problems.stints).
Past days count it from that day on; for today the dashboard takes back those whose moment is still to come
today (an index range on `problem_figures.overdue_from`).

Changes (`v.changes` on BASE): one more row per region, counting the transactions that changed anything the
dashboard shows of it — its figures (any row of `changes`, even one that nets to nothing: a problem whose deadline
moved), its warnings, its 对接 needs and their events, and, for every region, a region or a department written. It
is written in the same upsert as the figures (no statement, no lock of its own: a writer of a county already locks
that county's rows), and the dashboard's cache (services.dashboard) holds an answer only while the counts of its
subtree are what they were when it was computed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, event, exists, func, select
from sqlalchemy.orm import Session, attributes

from services.db import db, unit_of_work
from services.models import (
    Department, EarlyWarning, Enterprise, EnterpriseChange, EnterpriseTag, Match, Need, NeedEvent, Problem,
    ProblemEvent, ProblemStint, Region, Task, Visit,
)
from services.models.figures import EnterpriseFigure, KeyFigure, ProblemFigure, RegionDayFigure, TaskFigure
from services.models.problems import OPEN
from services.models.tasks import OPEN_TASK_STATUSES
from services.problems.scope import missing_regions_update
from services.timeutil import zone as configured_zone

# The enterprise's region as the problem carries it (its county; a prefecture's or the province's own enterprise
# has no county, and so on up).
PROBLEM_REGION = func.coalesce(Problem.county_id, Problem.prefecture_id, Problem.province_id).label("region_id")
BASE = date(1, 1, 1)  # the row holding the sum of all changes of a running count
EVER = date(1, 1, 2)  # the day of a change that holds for every day (an enterprise with no registration date)
_US = timedelta(microseconds=1)

_PROBLEMS = "figures.problems"
_VISITS = "figures.visits"
_ENTERPRISES = "figures.enterprises"
_FIRMS = "figures.firms"
_FRESH = "figures.fresh"  # the Problem objects this transaction inserted
_INSERTED = "figures.inserted"  # the id() of the ProblemEvent objects this transaction inserted
_TASKS = "figures.tasks"
_KEYS = "figures.keys"
_SHOWN = "figures.shown"  # regions whose warnings or needs the transaction wrote; EVERY_REGION: all of them
_SHOWN_NEEDS = "figures.shown_needs"  # needs whose events or matches the transaction wrote (their region is read)
EVERY_REGION = 0
VERSION = "v.changes"  # on BASE: the transactions that changed what the dashboard shows of the region
KEY_TAG = "key"
# Task columns a task's share depends on.
_TASK_FIELDS = ("status", "department_id", "problem_id", "dispatched_at", "due_at", "sign_due_at")
# Task statuses awaiting the department's signature (the sign-overdue figure).
SIGN_STATUSES = ("dispatched", "reopened")
_FIRM_FIELDS = ("operating_status", "registered_on", "deregistered_on", "region_id")
# Problem columns a share depends on (other changes leave it as it is).
_PROBLEM_FIELDS = ("status", "level", "category", "created_at", "accepted_at", "resolved_at", "closed_at",
                   "info_requested_at", "enterprise_id", "county_id", "prefecture_id", "province_id")
_POINTS = (("p.new", "created_at"), ("p.accepted", "accepted_at"), ("p.resolved", "resolved_at"),
           ("p.closed", "closed_at"))


# ------------------------------------------------------------------------------------------- one problem

def overdue_from(stints: Iterable, status: str, info_requested_at: datetime | None) -> datetime | None:
    """The moment after which the problem has a stint overdue (stints.overdue_clause holds for every `at`
    later than it, and for none up to it), None if no deadline of its stints can pass."""
    moments = []
    for stint in stints:
        running = stint.left_at is None
        stopped = running and status == "awaiting_info" and info_requested_at is not None
        due = stint.due_at
        if due is not None and (running or due < stint.left_at) and not (stopped and info_requested_at <= due):
            moments.append(due)
        acceptance = stint.acceptance_due_at
        if (acceptance is not None and (running or acceptance < stint.left_at)
                and (stint.accepted_at is None or acceptance < stint.accepted_at)
                and not (stopped and info_requested_at <= acceptance)):
            moments.append(acceptance)
    return min(moments) if moments else None


def _day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _day_end(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)


def _state(problem, events: list, late_from: datetime | None, end: datetime) -> dict[str, int]:
    """The problem's running counts at `end` (the end of a local day), as the reference query computes them."""
    if not problem.created_at < end:
        return {}
    last = None
    for item in events:  # sorted by (at, id)
        if item.at < end:
            last = item
        else:
            break
    status = last.to_status if last is not None and last.to_status is not None else problem.status
    level = last.to_level if last is not None and last.to_level is not None else problem.level
    state = {"c.total": 1, f"c.status.{status}": 1, f"c.level.{level}": 1, f"c.category.{problem.category}": 1}
    if status in OPEN and late_from is not None and late_from < end:
        state["c.overdue"] = 1
    if status == "closed" and problem.closed_at is not None:
        state["c.close_us"] = (problem.closed_at - problem.created_at) // _US
    return state


def share(problem, events: list, stints: list, zone: ZoneInfo) -> tuple[Counter, datetime | None]:
    """What one problem adds to its region's figures: {(day, name): n}, and its overdue_from."""
    events = sorted(events, key=lambda item: (item.at, item.id))
    late_from = overdue_from(stints, problem.status, problem.info_requested_at)
    days = {_day(problem.created_at, zone), *(_day(item.at, zone) for item in events)}
    if late_from is not None:
        days.add(_day(late_from, zone))
    marks: Counter = Counter()
    before: dict[str, int] = {}
    for day in sorted(days):
        now = _state(problem, events, late_from, _day_end(day, zone))
        for name in now.keys() | before.keys():
            change = now.get(name, 0) - before.get(name, 0)
            if change:
                marks[(day, name)] += change
        before = now
    filed = _day(problem.created_at, zone)
    for name, column in _POINTS:
        moment = getattr(problem, column)
        if moment is not None and _day(moment, zone) >= filed:
            marks[(_day(moment, zone), name)] += 1
    if late_from is not None:
        # The hour of its day in which it turns overdue, with what it counts as overdue that day: the dashboard
        # of today takes back the hours still to come from these rows, and reads only the current hour's
        # problems (problem_figures.overdue_from) one by one.
        day = _day(late_from, zone)
        counted = sum(n for (when, name), n in marks.items() if name == "c.overdue" and when <= day)
        if counted:
            marks[(day, f"{OVERDUE_HOUR}{overdue_hour(late_from, day, zone)}")] += counted
    return marks, late_from


OVERDUE_HOUR = "p.overdue_hour."


def overdue_hour(moment: datetime, day: date, zone: ZoneInfo) -> int:
    """The hour of the local day `day` (0 from its midnight, in elapsed hours) that `moment` falls in."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    return int((moment - start) // timedelta(hours=1))


def _as_marks(marks: Counter) -> list:
    return [[day.isoformat(), name, n] for (day, name), n in sorted(marks.items()) if n]


def _from_marks(stored: list | None) -> Counter:
    return Counter({(date.fromisoformat(day), name): n for day, name, n in stored or ()})


def _firm_state(firm, changes: list, day: date, end: datetime) -> dict[str, int]:
    """The enterprise's running count on `day`: existing then, by the operating status it had at `end`."""
    if firm.registered_on is not None and firm.registered_on > day:
        return {}
    if firm.deregistered_on is not None and firm.deregistered_on <= day:
        return {}
    before = [item for item in changes if item.changed_at < end]
    after = [item for item in changes if item.changed_at >= end]
    status = next((value for value in (before[-1].new_value if before else None,
                                       after[0].old_value if after else None, firm.operating_status)
                   if value is not None), None)
    return {f"c.operating.{status}": 1}


def firm_share(firm, changes: list, zone: ZoneInfo) -> Counter:
    """What one enterprise adds to its region's figures: {(day, name): n} (changes: its operating_status rows)."""
    changes = sorted(changes, key=lambda item: (item.changed_at, item.id))
    days = {_day(item.changed_at, zone) for item in changes}
    days.update(d for d in (firm.registered_on, firm.deregistered_on) if d is not None)
    marks: Counter = Counter()
    before: dict[str, int] = {}
    for day in [EVER, *sorted(d for d in days if d > EVER)]:
        now = _firm_state(firm, changes, day, _day_end(day, zone))
        for name in now.keys() | before.keys():
            change = now.get(name, 0) - before.get(name, 0)
            if change:
                marks[(day, name)] += change
        before = now
    return marks


def _firm_changes(connection, condition) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for row in connection.execute(select(EnterpriseChange.enterprise_id, EnterpriseChange.id,
                                         EnterpriseChange.changed_at, EnterpriseChange.old_value,
                                         EnterpriseChange.new_value)
                                  .where(EnterpriseChange.field == "operating_status", condition)):
        out[row.enterprise_id].append(row)
    return out


_FIRM_COLUMNS = (Enterprise.id, Enterprise.region_id, Enterprise.registered_on, Enterprise.deregistered_on,
                 Enterprise.operating_status)


def _settle_firms(connection, ids: set[int], zone: ZoneInfo, figures: Counter) -> None:
    """Each enterprise's share computed again; the old share taken back (added to `figures`). Two reads, at
    most one upsert."""
    ids = sorted(ids)
    found = {row.id: row for row in connection.execute(
        select(*_FIRM_COLUMNS, EnterpriseFigure.region_id.label("stored_region_id"),
               EnterpriseFigure.marks.label("stored_marks"))
        .outerjoin(EnterpriseFigure, EnterpriseFigure.enterprise_id == Enterprise.id).where(Enterprise.id.in_(ids)))}
    changes = _firm_changes(connection, EnterpriseChange.enterprise_id.in_(ids))
    rows = []
    for firm in found.values():
        if firm.stored_region_id is not None:
            for (day, name), n in _from_marks(firm.stored_marks).items():
                figures[(firm.stored_region_id, day, name)] -= n
        marks = firm_share(firm, changes.get(firm.id, []), zone)
        for (day, name), n in marks.items():
            figures[(firm.region_id, day, name)] += n
        row = {"enterprise_id": firm.id, "region_id": firm.region_id, "marks": _as_marks(marks)}
        if (firm.stored_region_id, firm.stored_marks) != (row["region_id"], row["marks"]):
            rows.append(row)
    table = EnterpriseFigure.__table__
    _upsert(connection, table, rows, ["enterprise_id"], lambda new: {"region_id": new.region_id,
                                                                     "marks": new.marks})


# ------------------------------------------------------------------------------------------- writing rows

def _upsert(connection, table, rows: list[dict], keys: list[str], update: dict):
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table)
    # the rows as parameters of one statement (executemany, in order): its compiled form is cached, where a
    # multi-row VALUES is compiled again for every request
    connection.execute(stmt.on_conflict_do_update(index_elements=keys, set_=update(stmt.excluded)), rows)


def _insert_rows(connection, table, rows: list[dict]) -> None:
    """Rows no other transaction can hold yet (the shares of problems filed in this one): one INSERT."""
    if rows:
        connection.execute(table.insert(), rows)


def _figure_rows(changes: Counter) -> list[dict]:
    """{(region, day, name): n} as region_day_figures rows in key order, running counts added to BASE too."""
    rows: Counter = Counter()
    for (region_id, day, name), n in changes.items():
        if not n:
            continue
        rows[(region_id, day, name)] += n
        if name.startswith("c."):
            rows[(region_id, BASE, name)] += n
    return [{"region_id": r, "day": d, "name": name, "n": n} for (r, d, name), n in sorted(rows.items()) if n]


def add_changes(connection, changes: Counter) -> None:
    """Add {(region, day, name): n} to region_day_figures (and running counts to their BASE row too), in one
    upsert, rows in key order (two writers of one county lock their rows in the same order)."""
    table = RegionDayFigure.__table__
    _upsert(connection, table, _figure_rows(changes), ["region_id", "day", "name"],
            lambda new: {"n": table.c.n + new.n})


def _unchanged_by(row, events: list, zone: ZoneInfo) -> bool:
    """Whether adding these events (the only change of the problem in the transaction) leaves its stored share as
    it is: each is, by the rule of _state, of the status and level the stored share ends in (its running counts
    summed), and on or after the last day one of those changed. Then every day's state is the same as before: the
    state only changes at an event's day, the new events come after the last change and repeat its outcome, and
    nothing else a share depends on (the problem's columns, its stints) changed. A comment, for instance."""
    if row.stored_region_id is None or row.stored_region_id != row.region_id:
        return False
    held: Counter = Counter()
    last_change = None
    for (day, name), n in _from_marks(row.stored_marks).items():
        if name.startswith(("c.status.", "c.level.")):
            held[name] += n
            last_change = day if last_change is None else max(last_change, day)
    held = +held
    for item in events:
        status = item.to_status if item.to_status is not None else row.status
        level = item.to_level if item.to_level is not None else row.level
        if item.at is None or last_change is None or _day(item.at, zone) < last_change:
            return False
        if held != Counter({f"c.status.{status}": 1, f"c.level.{level}": 1}):
            return False
    return True


def _settle_problems(connection, ids: set[int], zone: ZoneInfo, changes: Counter,
                     fresh: dict[int, tuple] | None = None, quiet: dict[int, list] | None = None) -> None:
    """Each problem's share computed again from its rows; the old share taken back, the new one added (to
    `changes`). Three reads (the problems with their stored share, their events, their stints) and at most one
    upsert — no read for a problem filed in this very transaction (`fresh`: its row, events and stints and its
    enterprise's region as the transaction holds them; it has no stored share yet), and only the first for one
    whose one change is new events that cannot change its share (`quiet`: {id: its new events}, _unchanged_by)."""
    fresh = fresh or {}
    rows = []
    for problem_id, (problem, region_id, events, stints) in sorted(fresh.items()):
        marks, late_from = share(problem, events, stints, zone)
        for (day, name), n in marks.items():
            changes[(region_id, day, name)] += n
        rows.append({"problem_id": problem_id, "region_id": region_id, "overdue_from": late_from,
                     "marks": _as_marks(marks)})
    ids = sorted(set(ids) - fresh.keys())
    if not ids:
        _insert_rows(connection, ProblemFigure.__table__, rows)
        return
    found = {row.id: row for row in connection.execute(
        select(Problem.id, Problem.created_at, Problem.status, Problem.level, Problem.category, Problem.accepted_at,
               Problem.resolved_at, Problem.closed_at, Problem.info_requested_at,
               PROBLEM_REGION, ProblemFigure.region_id.label("stored_region_id"),
               ProblemFigure.overdue_from.label("stored_overdue_from"), ProblemFigure.marks.label("stored_marks"))
        .outerjoin(ProblemFigure, ProblemFigure.problem_id == Problem.id).where(Problem.id.in_(ids)))}
    stored = {pid: (row.stored_region_id, row.stored_marks) for pid, row in found.items()
              if row.stored_region_id is not None}
    gone = [pid for pid in ids if pid not in found]
    if gone:  # problems deleted: their share is taken back
        stored.update({row.problem_id: (row.region_id, row.marks) for row in connection.execute(
            select(ProblemFigure.problem_id, ProblemFigure.region_id, ProblemFigure.marks)
            .where(ProblemFigure.problem_id.in_(gone)))})
    quiet = quiet or {}
    for problem_id in [pid for pid in ids if pid in quiet and pid in found]:
        if _unchanged_by(found[problem_id], quiet[problem_id], zone):
            ids.remove(problem_id)
    events, stints = _timelines(connection, [pid for pid in ids if pid in found])
    for problem_id in ids:
        old_region, old_marks = stored.get(problem_id, (None, None))
        if old_region is not None:
            for (day, name), n in _from_marks(old_marks).items():
                changes[(old_region, day, name)] -= n
        problem = found.get(problem_id)
        if problem is None:
            continue
        marks, late_from = share(problem, events.get(problem_id, []), stints.get(problem_id, []), zone)
        for (day, name), n in marks.items():
            changes[(problem.region_id, day, name)] += n
        row = {"problem_id": problem_id, "region_id": problem.region_id, "overdue_from": late_from,
               "marks": _as_marks(marks)}
        if (problem.stored_region_id, problem.stored_overdue_from, problem.stored_marks) != (
                row["region_id"], row["overdue_from"], row["marks"]):
            rows.append(row)
    table = ProblemFigure.__table__
    _upsert(connection, table, rows, ["problem_id"], lambda new: {
        "region_id": new.region_id, "overdue_from": new.overdue_from, "marks": new.marks})
    if gone:
        connection.execute(delete(ProblemFigure).where(ProblemFigure.problem_id.in_(gone)))


def task_share(task, zone: ZoneInfo) -> tuple[Counter, datetime | None, datetime | None]:
    """One task's marks on its problem's region, and the deadlines after which it counts as overdue (open) and
    as sign-overdue (awaiting signature): the dashboard's task figures of day D are the tasks dispatched by the
    end of D by their current status and department (`c.task.<status>.<department>`), the open ones among
    them past their deadline by then (`c.task_late.<department>`: from the day both have passed) and those
    awaiting signature past their signing deadline (`c.task_sign_late`)."""
    marks: Counter = Counter()
    marks[(_day(task.dispatched_at, zone), f"c.task.{task.status}.{task.department_id}")] += 1
    late_from = sign_from = None
    if task.status in OPEN_TASK_STATUSES and task.due_at is not None:
        late_from = task.due_at
        marks[(_day(max(task.dispatched_at, task.due_at), zone), f"c.task_late.{task.department_id}")] += 1
    if task.status in SIGN_STATUSES and task.sign_due_at is not None:
        sign_from = task.sign_due_at
        marks[(_day(max(task.dispatched_at, task.sign_due_at), zone), "c.task_sign_late")] += 1
    return marks, late_from, sign_from


_TASK_COLUMNS = (Task.id, Task.problem_id, Task.department_id, Task.status, Task.dispatched_at, Task.due_at,
                 Task.sign_due_at, PROBLEM_REGION)


def _settle_tasks(connection, ids: set[int], zone: ZoneInfo, changes: Counter) -> None:
    """Each task's share computed again (its row and its problem's region), the old one taken back (added to
    `changes`, written with the transaction's other region rows): one read (the tasks with their stored share)
    and at most one upsert."""
    ids = sorted(ids)
    found = {row.id: row for row in connection.execute(
        select(*_TASK_COLUMNS, TaskFigure.region_id.label("stored_region_id"),
               TaskFigure.overdue_from.label("stored_overdue_from"),
               TaskFigure.sign_overdue_from.label("stored_sign_overdue_from"),
               TaskFigure.marks.label("stored_marks"))
        .join(Problem, Problem.id == Task.problem_id)
        .outerjoin(TaskFigure, TaskFigure.task_id == Task.id).where(Task.id.in_(ids)))}
    stored = {tid: (row.stored_region_id, row.stored_marks) for tid, row in found.items()
              if row.stored_region_id is not None}
    gone = [tid for tid in ids if tid not in found]
    if gone:  # tasks deleted: their share is taken back
        stored.update({row.task_id: (row.region_id, row.marks) for row in connection.execute(
            select(TaskFigure.task_id, TaskFigure.region_id, TaskFigure.marks).where(TaskFigure.task_id.in_(gone)))})
    rows = []
    for task_id in ids:
        old_region, old_marks = stored.get(task_id, (None, None))
        if old_region is not None:
            for (day, name), n in _from_marks(old_marks).items():
                changes[(old_region, day, name)] -= n
        task = found.get(task_id)
        if task is None:
            continue
        marks, late_from, sign_from = task_share(task, zone)
        for (day, name), n in marks.items():
            changes[(task.region_id, day, name)] += n
        row = {"task_id": task_id, "problem_id": task.problem_id, "region_id": task.region_id,
               "overdue_from": late_from, "sign_overdue_from": sign_from, "marks": _as_marks(marks)}
        if (task.stored_region_id, task.stored_overdue_from, task.stored_sign_overdue_from, task.stored_marks) != (
                row["region_id"], row["overdue_from"], row["sign_overdue_from"], row["marks"]):
            rows.append(row)
    table = TaskFigure.__table__
    _upsert(connection, table, rows, ["task_id"], lambda new: {
        "problem_id": new.problem_id, "region_id": new.region_id, "overdue_from": new.overdue_from,
        "sign_overdue_from": new.sign_overdue_from, "marks": new.marks})
    if gone:
        connection.execute(delete(TaskFigure).where(TaskFigure.task_id.in_(gone)))


def key_share(visits: Iterable[datetime], zone: ZoneInfo) -> Counter:
    """What one key enterprise adds: itself on every day (`c.key` on EVER) and the first visit day of each
    local month it was visited in (`p.key_visited`: summed from the first of a month to a day, the key
    enterprises visited in that month by then)."""
    firsts: dict[tuple[int, int], date] = {}
    for at in visits:
        day = _day(at, zone)
        month = (day.year, day.month)
        if month not in firsts or day < firsts[month]:
            firsts[month] = day
    marks: Counter = Counter({(EVER, "c.key"): 1})
    for day in firsts.values():
        marks[(day, "p.key_visited")] += 1
    return marks


def _added_to(stored: list, visits: list[datetime], zone: ZoneInfo) -> list:
    """A stored key share with visits added (none taken away): the first visit day of each month is the
    earlier of the stored one and the new ones."""
    marks = _from_marks(stored)
    firsts = {(day.year, day.month): day for day, name in marks if name == "p.key_visited"}
    for at in visits:
        day = _day(at, zone)
        month = (day.year, day.month)
        if month not in firsts or day < firsts[month]:
            if month in firsts:
                del marks[(firsts[month], "p.key_visited")]
            firsts[month] = day
            marks[(day, "p.key_visited")] = 1
    return _as_marks(marks)


def _settle_keys(connection, ids: set[int], zone: ZoneInfo, changes: Counter,
                 added: dict[int, list] | None = None) -> None:
    """Each enterprise's key share computed again (whether it is key, its region, its visits), the old one taken
    back (added to `changes`): one read, at most one upsert; and a read of the visits of the key enterprises whose share cannot be
    brought up to date from the stored one (`added`: enterprises that only gained these visits)."""
    ids = sorted(ids)
    added = added or {}
    is_key = exists().where(EnterpriseTag.enterprise_id == Enterprise.id, EnterpriseTag.tag == KEY_TAG)
    found = {row.id: row for row in connection.execute(
        select(Enterprise.id, Enterprise.region_id, is_key.label("key"),
               KeyFigure.region_id.label("stored_region_id"), KeyFigure.marks.label("stored_marks"))
        .outerjoin(KeyFigure, KeyFigure.enterprise_id == Enterprise.id).where(Enterprise.id.in_(ids)))}
    stored = {eid: (row.stored_region_id, row.stored_marks) for eid, row in found.items()
              if row.stored_region_id is not None}
    gone = [eid for eid in ids if eid not in found]
    if gone:
        stored.update({row.enterprise_id: (row.region_id, row.marks) for row in connection.execute(
            select(KeyFigure.enterprise_id, KeyFigure.region_id, KeyFigure.marks)
            .where(KeyFigure.enterprise_id.in_(gone)))})
    def incremental(row) -> bool:
        return row.id in added and row.key and row.stored_region_id == row.region_id

    keyed = sorted(eid for eid, row in found.items() if row.key and not incremental(row))
    visits: dict[int, list] = defaultdict(list)
    if keyed:
        for enterprise_id, at in connection.execute(select(Visit.enterprise_id, Visit.visited_at)
                                                    .where(Visit.enterprise_id.in_(keyed))):
            visits[enterprise_id].append(at)
    rows, dropped = [], list(gone)
    for enterprise_id in ids:
        old_region, old_marks = stored.get(enterprise_id, (None, None))
        if old_region is not None:
            for (day, name), n in _from_marks(old_marks).items():
                changes[(old_region, day, name)] -= n
        firm = found.get(enterprise_id)
        if firm is None:
            continue
        if not firm.key:
            if old_region is not None:
                dropped.append(enterprise_id)
            continue
        if incremental(firm):
            marks = _from_marks(_added_to(firm.stored_marks, added[enterprise_id], zone))
        else:
            marks = key_share(visits.get(enterprise_id, []), zone)
        for (day, name), n in marks.items():
            changes[(firm.region_id, day, name)] += n
        row = {"enterprise_id": enterprise_id, "region_id": firm.region_id, "marks": _as_marks(marks)}
        if (firm.stored_region_id, firm.stored_marks) != (row["region_id"], row["marks"]):
            rows.append(row)
    _upsert(connection, KeyFigure.__table__, rows, ["enterprise_id"],
            lambda new: {"region_id": new.region_id, "marks": new.marks})
    if dropped:
        connection.execute(delete(KeyFigure).where(KeyFigure.enterprise_id.in_(dropped)))


def _timelines(connection, ids: list[int]) -> tuple[dict, dict]:
    events: dict[int, list] = defaultdict(list)
    if not ids:
        return events, defaultdict(list)
    for row in connection.execute(select(ProblemEvent.problem_id, ProblemEvent.id, ProblemEvent.at,
                                         ProblemEvent.to_status, ProblemEvent.to_level)
                                  .where(ProblemEvent.problem_id.in_(ids))):
        events[row.problem_id].append(row)
    stints: dict[int, list] = defaultdict(list)
    for row in connection.execute(select(ProblemStint.problem_id, ProblemStint.due_at, ProblemStint.acceptance_due_at,
                                         ProblemStint.accepted_at, ProblemStint.left_at)
                                  .where(ProblemStint.problem_id.in_(ids))):
        stints[row.problem_id].append(row)
    return events, stints


def _settle_visits(connection, visits: list[tuple[int, datetime, int]], moved: dict[int, int],
                   zone: ZoneInfo, changes: Counter, known: dict[int, int]) -> None:
    """Visits added (+1) or taken back (-1) as (enterprise, visited_at, sign); enterprises moved from a region.
    `known`: the regions of the enterprises the transaction holds (read only for the others)."""
    enterprise_ids = {enterprise_id for enterprise_id, _, _ in visits} - known.keys()
    regions = dict(known)
    if enterprise_ids:
        regions.update({row.id: row.region_id for row in connection.execute(
            select(Enterprise.id, Enterprise.region_id).where(Enterprise.id.in_(sorted(enterprise_ids))))})
    for enterprise_id, at, sign in visits:
        if enterprise_id in regions and at is not None:
            changes[(regions[enterprise_id], _day(at, zone), "p.visits")] += sign
    if moved:
        rows = connection.execute(select(Visit.visited_at, Enterprise.id, Enterprise.region_id)
                                  .join(Enterprise, Enterprise.id == Visit.enterprise_id)
                                  .where(Enterprise.id.in_(sorted(moved))))
        for at, enterprise_id, region_id in rows:
            changes[(moved[enterprise_id], _day(at, zone), "p.visits")] -= 1
            changes[(region_id, _day(at, zone), "p.visits")] += 1


# ------------------------------------------------------------------------------------------- the session hooks

def _history_old(obj, name):
    history = attributes.get_history(obj, name)
    return history.deleted[0] if history.deleted else getattr(obj, name)


def _changed(obj, names) -> bool:
    return any(attributes.get_history(obj, name, attributes.PASSIVE_NO_INITIALIZE).has_changes() for name in names)


@event.listens_for(Session, "before_flush")
def _remember(session: Session, _context, _instances) -> None:
    problems = session.info.setdefault(_PROBLEMS, [])
    visits = session.info.setdefault(_VISITS, [])
    moved = session.info.setdefault(_ENTERPRISES, {})
    firms = session.info.setdefault(_FIRMS, [])
    fresh = session.info.setdefault(_FRESH, [])
    tasks = session.info.setdefault(_TASKS, [])
    keys = session.info.setdefault(_KEYS, [])
    _remember_shown(session)
    for obj in session.new:
        if isinstance(obj, (Problem, ProblemEvent, ProblemStint)):
            problems.append(obj)
            if isinstance(obj, Problem):
                fresh.append(obj)
            elif isinstance(obj, ProblemEvent):
                session.info.setdefault(_INSERTED, set()).add(id(obj))
        elif isinstance(obj, Task):
            tasks.append(obj)
        elif isinstance(obj, EnterpriseTag) and obj.tag == KEY_TAG:
            keys.append(obj)
        elif isinstance(obj, (Enterprise, EnterpriseChange)):
            firms.append(obj)
        elif isinstance(obj, Visit):
            visits.append((obj, 1))
    for obj in session.dirty:
        if isinstance(obj, Enterprise) and _changed(obj, ("tag_rows",)):  # a removed tag row is an orphan
            keys.append(obj.id)                                              # only once the flush finds it
        if isinstance(obj, Problem) and _changed(obj, _PROBLEM_FIELDS):
            problems.append(obj)
        elif isinstance(obj, (ProblemEvent, ProblemStint)) and session.is_modified(obj, include_collections=False):
            problems.append(obj)  # (an attribute set to the value it had is no change)
        elif isinstance(obj, Task) and _changed(obj, _TASK_FIELDS):
            tasks.append(obj)
        elif isinstance(obj, Visit) and _changed(obj, ("visited_at", "enterprise_id")):
            visits.append(((_history_old(obj, "enterprise_id"), _history_old(obj, "visited_at")), -1))
            visits.append((obj, 1))
        elif isinstance(obj, Enterprise) and _changed(obj, _FIRM_FIELDS):
            firms.append(obj)
            if _changed(obj, ("region_id",)):
                moved.setdefault(obj.id, _history_old(obj, "region_id"))
        elif isinstance(obj, EnterpriseChange):
            firms.append(obj)
    for obj in session.deleted:
        if isinstance(obj, Problem):
            problems.append(obj.id)
        elif isinstance(obj, Task):
            tasks.append(obj.id)
        elif isinstance(obj, EnterpriseTag) and obj.tag == KEY_TAG:
            keys.append(obj.enterprise_id)
        elif isinstance(obj, (ProblemEvent, ProblemStint)):
            problems.append(obj.problem_id)
        elif isinstance(obj, Visit):
            visits.append(((_history_old(obj, "enterprise_id"), _history_old(obj, "visited_at")), -1))
        elif isinstance(obj, EnterpriseChange):
            firms.append(obj.enterprise_id)


def _remember_shown(session: Session) -> None:
    """The regions whose dashboard the flush changes outside the figures: warnings and needs (the region before
    and after), the needs of need events and matches (resolved at the commit), and every region for a region or a
    department written (a name, a place in the tree: rare, and shown everywhere)."""
    regions: set[int] = session.info.setdefault(_SHOWN, set())
    needs: set[int] = session.info.setdefault(_SHOWN_NEEDS, set())
    for group in (session.new, session.dirty, session.deleted):
        for obj in group:
            if isinstance(obj, (EarlyWarning, Need)):
                regions.update(r for r in (obj.region_id, _history_old(obj, "region_id")) if r is not None)
            elif isinstance(obj, NeedEvent):
                needs.update(n for n in (obj.need_id, _history_old(obj, "need_id")) if n is not None)
            elif isinstance(obj, Match):
                needs.update(n for n in (obj.need_id, obj.own_need_id, _history_old(obj, "need_id"))
                             if n is not None)
            elif isinstance(obj, (Region, Department)):
                regions.add(EVERY_REGION)


def _shown_regions(session: Session, connection) -> set[int]:
    """The regions _remember_shown collected; the needs' regions from the session when it holds them loaded."""
    regions = session.info.pop(_SHOWN, set())
    unread = set()
    for need_id in session.info.pop(_SHOWN_NEEDS, set()):
        held = session.identity_map.get(session.identity_key(Need, need_id))
        region_id = None if held is None else held.__dict__.get("region_id")
        if region_id is None:
            unread.add(need_id)
        else:
            regions.add(region_id)
    if unread:
        regions.update(connection.scalars(select(Need.region_id).where(Need.id.in_(sorted(unread)))))
    if EVERY_REGION in regions:
        regions = set(connection.scalars(select(Region.id)))
    return regions


def count_changes(changes: Counter, regions: Iterable[int]) -> None:
    """One more change (`v.changes`) of each region."""
    for region_id in regions:
        changes[(region_id, BASE, VERSION)] += 1


def _firm_id(item) -> int | None:
    if isinstance(item, int):
        return item
    return item.id if isinstance(item, Enterprise) else item.enterprise_id


def _problem_id(item) -> int | None:
    if isinstance(item, int):
        return item
    return item.id if isinstance(item, Problem) else item.problem_id


def _held_region(session: Session, enterprise_id: int | None) -> int | None:
    """The region of an enterprise the session holds loaded (flushed: what the transaction's rows say), None
    when it would have to be read."""
    if enterprise_id is None:
        return None
    held = session.identity_map.get(session.identity_key(Enterprise, enterprise_id))
    return None if held is None else held.__dict__.get("region_id")


def _fresh(session: Session, problems: list, filed: list) -> dict[int, tuple]:
    """The problems this transaction filed whose share can be computed from what it holds: the problem, all
    its events and stints (a new problem has no others — unless some were deleted, then it is read) and its
    region as PROBLEM_REGION places it (its own scope columns, set at filing). {id: (problem, region_id, events,
    stints)}."""
    out: dict[int, tuple] = {}
    for problem in filed:
        held = problem.__dict__
        region_id = held.get("county_id") or held.get("prefecture_id") or held.get("province_id")
        if problem.id is not None and region_id is not None and problem not in session.deleted:
            out[problem.id] = (problem, region_id, {}, {})
    for item in problems:
        if isinstance(item, int):
            out.pop(item, None)  # something of it was deleted: read from the rows
        elif isinstance(item, (ProblemEvent, ProblemStint)) and item.problem_id in out:
            out[item.problem_id][2 if isinstance(item, ProblemEvent) else 3][id(item)] = item
    return {pid: (problem, region_id, list(events.values()), list(stints.values()))
            for pid, (problem, region_id, events, stints) in out.items()}


def _quiet(problems: list, fresh: dict, inserted: set[int]) -> dict[int, list]:
    """The problems whose one recorded change in the transaction is new events (`inserted`: the id() of the events
    the transaction inserted): {id: those events}."""
    out: dict[int, dict] = {}
    other: set[int] = set(fresh)
    for item in problems:
        if isinstance(item, ProblemEvent) and id(item) in inserted:
            out.setdefault(item.problem_id, {})[id(item)] = item
        else:
            other.add(_problem_id(item))
    return {pid: list(events.values()) for pid, events in out.items() if pid not in other}


@event.listens_for(Session, "before_commit")
def _settle(session: Session) -> None:
    """Bring the figures up to date with what this transaction wrote, inside it, just before it commits."""
    if not (session.new or session.dirty or session.deleted or session.info.get(_PROBLEMS)
            or session.info.get(_VISITS) or session.info.get(_ENTERPRISES) or session.info.get(_FIRMS)
            or session.info.get(_TASKS) or session.info.get(_KEYS) or session.info.get(_SHOWN)
            or session.info.get(_SHOWN_NEEDS)):
        return
    session.flush()
    problems = session.info.pop(_PROBLEMS, [])
    visits = session.info.pop(_VISITS, [])
    moved = session.info.pop(_ENTERPRISES, {})
    filed = session.info.pop(_FRESH, [])
    inserted = session.info.pop(_INSERTED, set())
    firm_ids = {fid for fid in map(_firm_id, session.info.pop(_FIRMS, [])) if fid is not None}
    ids = {pid for pid in map(_problem_id, problems) if pid is not None}
    task_ids = {item if isinstance(item, int) else item.id for item in session.info.pop(_TASKS, [])}
    key_ids = {item if isinstance(item, int) else item.enterprise_id for item in session.info.pop(_KEYS, [])}
    key_ids.update(moved)
    connection = session.connection()
    fresh = {} if moved else _fresh(session, problems, filed)
    quiet = {} if moved else _quiet(problems, fresh, inserted)
    if moved:
        ids.update(connection.scalars(select(Problem.id).where(Problem.enterprise_id.in_(sorted(moved)))))
        task_ids.update(connection.scalars(select(Task.id).join(Problem, Problem.id == Task.problem_id)
                                           .where(Problem.enterprise_id.in_(sorted(moved)))))
    zone = configured_zone()
    changes: Counter = Counter()  # every region row the transaction changes, written in one upsert
    if ids:
        _settle_problems(connection, ids, zone, changes, fresh, quiet)
    task_ids.discard(None)
    if task_ids:
        _settle_tasks(connection, task_ids, zone, changes)
    plain = []
    for item, sign in visits:
        enterprise_id, at = (item.enterprise_id, item.visited_at) if isinstance(item, Visit) else item
        plain.append((enterprise_id, at, sign))
    if plain or moved:
        known = {} if moved else {eid: region for eid in {e for e, _, _ in plain}
                                  if (region := _held_region(session, eid)) is not None}
        _settle_visits(connection, plain, moved, zone, changes, known)
    # enterprises that only gained visits in this transaction: their key share grows from the stored one
    added: dict[int, list] = defaultdict(list)
    for enterprise_id, at, sign in plain:
        if sign > 0 and enterprise_id not in key_ids:
            added[enterprise_id].append(at)
    for enterprise_id, _at, sign in plain:
        if sign < 0:
            added.pop(enterprise_id, None)
    key_ids.update(enterprise_id for enterprise_id, _at, _sign in plain)
    key_ids.discard(None)
    if key_ids:
        _settle_keys(connection, key_ids, zone, changes, added)
    if firm_ids:
        _settle_firms(connection, firm_ids, zone, changes)
    count_changes(changes, {region_id for region_id, _day, _name in changes} | _shown_regions(session, connection))
    add_changes(connection, changes)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    for key in (_PROBLEMS, _VISITS, _ENTERPRISES, _FIRMS, _FRESH, _INSERTED, _TASKS, _KEYS, _SHOWN, _SHOWN_NEEDS):
        session.info.pop(key, None)


# ------------------------------------------------------------------------------------------- rebuilding

@unit_of_work()
def rebuild_all() -> dict[str, int]:
    """rebuild() as its own transaction (`flask figures rebuild`; the bulk generator calls it after loading)."""
    return rebuild(db.session.connection())


def rebuild(connection, zone: ZoneInfo | None = None, *, batch: int = 5000, blocks: bool = True) -> dict[str, int]:
    """Compute every figure again from the rows (inside the caller's transaction): the data migrations,
    `flask figures rebuild`, and the bulk generator after loading. Returns what it counted. `blocks=False`
    leaves the task and key-enterprise figures out (migration 0013 runs before their tables exist)."""
    zone = zone or configured_zone()
    connection.execute(missing_regions_update())  # rows a bulk insert left without scope columns
    connection.execute(delete(RegionDayFigure).where(RegionDayFigure.name != VERSION))  # the change counts go on
    connection.execute(delete(ProblemFigure))
    connection.execute(delete(EnterpriseFigure))
    changes: Counter = Counter()
    counted = {"problems": 0, "visits": 0, "enterprises": 0, **({"tasks": 0, "key_enterprises": 0} if blocks else {})}
    if blocks:
        connection.execute(delete(TaskFigure))
        connection.execute(delete(KeyFigure))
        _rebuild_tasks(connection, zone, batch, changes, counted)
        _rebuild_keys(connection, zone, changes, counted)
    last = 0
    table = ProblemFigure.__table__
    while True:
        found = list(connection.execute(
            select(Problem.id, Problem.created_at, Problem.status, Problem.level, Problem.category,
                   Problem.accepted_at, Problem.resolved_at, Problem.closed_at, Problem.info_requested_at,
                   PROBLEM_REGION)
            .where(Problem.id > last).order_by(Problem.id).limit(batch)))
        if not found:
            break
        last = found[-1].id
        events, stints = _timelines_between(connection, found[0].id, last)
        rows = []
        for problem in found:
            marks, late_from = share(problem, events.get(problem.id, []), stints.get(problem.id, []), zone)
            for (day, name), n in marks.items():
                changes[(problem.region_id, day, name)] += n
            rows.append({"problem_id": problem.id, "region_id": problem.region_id, "overdue_from": late_from,
                         "marks": _as_marks(marks)})
        connection.execute(table.insert(), rows)
        counted["problems"] += len(found)
    last = 0
    while True:
        found = list(connection.execute(select(*_FIRM_COLUMNS).where(Enterprise.id > last)
                                        .order_by(Enterprise.id).limit(batch)))
        if not found:
            break
        first, last = found[0].id, found[-1].id
        history = _firm_changes(connection, EnterpriseChange.enterprise_id.between(first, last))
        rows = []
        for firm in found:
            marks = firm_share(firm, history.get(firm.id, []), zone)
            for (day, name), n in marks.items():
                changes[(firm.region_id, day, name)] += n
            rows.append({"enterprise_id": firm.id, "region_id": firm.region_id, "marks": _as_marks(marks)})
        connection.execute(EnterpriseFigure.__table__.insert(), rows)
        counted["enterprises"] += len(found)
    for at, region_id in connection.execute(select(Visit.visited_at, Enterprise.region_id)
                                            .join(Enterprise, Enterprise.id == Visit.enterprise_id)):
        changes[(region_id, _day(at, zone), "p.visits")] += 1
        counted["visits"] += 1
    rows = _figure_rows(changes)  # the tables are empty but for the change counts: plain inserts (executemany)
    for start in range(0, len(rows), batch):
        connection.execute(RegionDayFigure.__table__.insert(), rows[start:start + batch])
    every: Counter = Counter()
    count_changes(every, connection.scalars(select(Region.id)))  # every region's figures changed
    add_changes(connection, every)
    return counted


def _rebuild_tasks(connection, zone: ZoneInfo, batch: int, changes: Counter, counted: dict) -> None:
    last = 0
    while True:
        found = list(connection.execute(select(*_TASK_COLUMNS).join(Problem, Problem.id == Task.problem_id)
                                        .where(Task.id > last).order_by(Task.id).limit(batch)))
        if not found:
            break
        last = found[-1].id
        rows = []
        for task in found:
            marks, late_from, sign_from = task_share(task, zone)
            for (day, name), n in marks.items():
                changes[(task.region_id, day, name)] += n
            rows.append({"task_id": task.id, "problem_id": task.problem_id, "region_id": task.region_id,
                         "overdue_from": late_from, "sign_overdue_from": sign_from, "marks": _as_marks(marks)})
        connection.execute(TaskFigure.__table__.insert(), rows)
        counted["tasks"] += len(found)


def _rebuild_keys(connection, zone: ZoneInfo, changes: Counter, counted: dict) -> None:
    keyed = dict(connection.execute(select(Enterprise.id, Enterprise.region_id)
                                    .join(EnterpriseTag, EnterpriseTag.enterprise_id == Enterprise.id)
                                    .where(EnterpriseTag.tag == KEY_TAG)).all())
    visits: dict[int, list] = defaultdict(list)
    for enterprise_id, at in connection.execute(select(Visit.enterprise_id, Visit.visited_at)
                                                .join(EnterpriseTag, EnterpriseTag.enterprise_id == Visit.enterprise_id)
                                                .where(EnterpriseTag.tag == KEY_TAG)):
        visits[enterprise_id].append(at)
    rows = []
    for enterprise_id, region_id in sorted(keyed.items()):
        marks = key_share(visits.get(enterprise_id, []), zone)
        for (day, name), n in marks.items():
            changes[(region_id, day, name)] += n
        rows.append({"enterprise_id": enterprise_id, "region_id": region_id, "marks": _as_marks(marks)})
    for start in range(0, len(rows), 5000):
        connection.execute(KeyFigure.__table__.insert(), rows[start:start + 5000])
    counted["key_enterprises"] += len(rows)


def _timelines_between(connection, first: int, last: int) -> tuple[dict, dict]:
    events: dict[int, list] = defaultdict(list)
    for row in connection.execute(select(ProblemEvent.problem_id, ProblemEvent.id, ProblemEvent.at,
                                         ProblemEvent.to_status, ProblemEvent.to_level)
                                  .where(ProblemEvent.problem_id.between(first, last))):
        events[row.problem_id].append(row)
    stints: dict[int, list] = defaultdict(list)
    for row in connection.execute(select(ProblemStint.problem_id, ProblemStint.due_at, ProblemStint.acceptance_due_at,
                                         ProblemStint.accepted_at, ProblemStint.left_at)
                                  .where(ProblemStint.problem_id.between(first, last))):
        stints[row.problem_id].append(row)
    return events, stints
