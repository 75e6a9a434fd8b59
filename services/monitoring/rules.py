"""The warning rules: each one query over any number of subjects, returning findings."""


from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, and_, exists, func, or_, select

from services.actors import Actor
from services.db import db
from services.models import (
    ArrearsCase,
    ArrearsPlanMonth,
    Enterprise,
    EnterpriseChange,
    EnterpriseTag,
    Problem,
    ProblemStint,
    StatusReport,
    Task,
    Visit,
)
from services.models.monitoring import SEVERITIES
from services.models.problems import OPEN
from services.problems import stints
from services.timeutil import as_utc

DROP_YELLOW = 0.20
DROP_RED = 0.40
NO_VISIT_DAYS = 30
# Past due: see services/problems/stints.py (the stint rule; awaiting_info is stopped time).
REOPEN_LIMIT = 2
ENTERPRISE_TYPES = ("employment_drop", "halted", "no_visit")
PROBLEM_TYPES = ("acceptance_overdue", "overdue", "reopened", "supervision_overdue")
ARREARS_TYPES = ("arrears_behind",)
# Months behind the repayment plan from which the warning turns orange.
ARREARS_ORANGE_MONTHS = 2
TASK_TYPES = ("task_unsigned", "task_overdue")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
SYSTEM = Actor.system("monitoring")

TYPE_TITLES = {
    "employment_drop": "用工异常", "halted": "企业停产", "no_visit": "重点企业超过 30 天未走访",
    "acceptance_overdue": "问题超期未受理", "overdue": "问题办理超期", "reopened": "问题多次退回重办",
    "arrears_behind": "清欠还款进度落后于计划",
    "task_unsigned": "承办任务超时未签收", "task_overdue": "承办任务办理超期",
    "supervision_overdue": "督办期限已过未办结",
}


@dataclass
class Finding:
    """A warning that the current data calls for."""

    type: str
    severity: str
    enterprise_id: int
    region_id: int
    problem_id: int | None = None
    owning_region_id: int | None = None
    detail: dict = field(default_factory=dict)
    task_id: int | None = None
    department_id: int | None = None
    arrears_case_id: int | None = None

    @property
    def subject(self) -> str:
        """What the finding is about: "problem:<id>", "enterprise:<id>", "task:<id>" or "arrears:<id>"."""
        if self.task_id is not None:
            return f"task:{self.task_id}"
        if self.arrears_case_id is not None:
            return f"arrears:{self.arrears_case_id}"
        return f"problem:{self.problem_id}" if self.problem_id is not None else f"enterprise:{self.enterprise_id}"


def _drop_severity(old: int | None, new: int | None) -> tuple[str, float] | None:
    if not old or new is None or old <= 0 or new >= old:
        return None
    drop = (old - new) / old
    if drop >= DROP_RED:
        return "red", drop
    if drop >= DROP_YELLOW:
        return "yellow", drop
    return None


def employment_findings(only: int | None) -> list[Finding]:
    """The latest employees change (edits, visits, reports all go through observe) and the two latest
    monthly reports: a drop in either is a warning; it ends when both show no drop of 20 %."""
    live = Enterprise.deregistered_on.is_(None)
    changes = (select(EnterpriseChange.enterprise_id, EnterpriseChange.old_value, EnterpriseChange.new_value,
                      func.row_number().over(partition_by=EnterpriseChange.enterprise_id,
                                             order_by=(EnterpriseChange.changed_at.desc(),
                                                       EnterpriseChange.id.desc())).label("n"))
               .where(EnterpriseChange.field == "employees"))
    reports = (select(StatusReport.enterprise_id, StatusReport.period, StatusReport.employees,
                      func.row_number().over(partition_by=StatusReport.enterprise_id,
                                             order_by=StatusReport.period.desc()).label("n")))
    if only is not None:
        changes = changes.where(EnterpriseChange.enterprise_id == only)
        reports = reports.where(StatusReport.enterprise_id == only)
    changes, reports = changes.subquery(), reports.subquery()
    last, prev = reports.alias("last_report"), reports.alias("prev_report")
    stmt = (
        select(Enterprise.id, Enterprise.region_id, changes.c.old_value, changes.c.new_value,
               prev.c.employees, last.c.employees, prev.c.period, last.c.period)
        .outerjoin(changes, and_(changes.c.enterprise_id == Enterprise.id, changes.c.n == 1))
        .outerjoin(last, and_(last.c.enterprise_id == Enterprise.id, last.c.n == 1))
        .outerjoin(prev, and_(prev.c.enterprise_id == Enterprise.id, prev.c.n == 2))
        .where(live, or_(changes.c.enterprise_id.is_not(None), prev.c.enterprise_id.is_not(None)))
    )
    if only is not None:
        stmt = stmt.where(Enterprise.id == only)
    found = []
    for eid, region_id, old, new, prev_emp, last_emp, prev_period, last_period in db.session.execute(stmt):
        candidates = []
        observed = _drop_severity(_int(old), _int(new))
        if observed:
            candidates.append((observed, {"source": "observation", "from": _int(old), "to": _int(new)}))
        reported = _drop_severity(prev_emp, last_emp)
        if reported:
            candidates.append((reported, {"source": "status_report", "from": prev_emp, "to": last_emp,
                                          "from_period": prev_period, "to_period": last_period}))
        if not candidates:
            continue
        (severity, drop), detail = max(candidates, key=lambda c: c[0][1])
        found.append(Finding("employment_drop", severity, eid, region_id,
                             detail={**detail, "drop": round(drop, 4)}))
    return found


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def halted_findings(only: int | None) -> list[Finding]:
    """An orange finding for every halted enterprise not deregistered (or just the one given)."""
    stmt = select(Enterprise.id, Enterprise.region_id).where(
        Enterprise.operating_status == "halted", Enterprise.deregistered_on.is_(None))
    if only is not None:
        stmt = stmt.where(Enterprise.id == only)
    return [Finding("halted", "orange", eid, region_id) for eid, region_id in db.session.execute(stmt)]


def no_visit_findings(only: int | None, now: datetime) -> list[Finding]:
    """A yellow finding for every key enterprise not visited within NO_VISIT_DAYS (or just the one given)."""
    last_visit = (select(func.max(Visit.visited_at)).where(Visit.enterprise_id == Enterprise.id)
                  .correlate(Enterprise).scalar_subquery())
    cutoff = now - timedelta(days=NO_VISIT_DAYS)
    stmt = (select(Enterprise.id, Enterprise.region_id, last_visit.label("last"))
            .where(Enterprise.deregistered_on.is_(None),
                   exists().where(EnterpriseTag.enterprise_id == Enterprise.id, EnterpriseTag.tag == "key"),
                   or_(last_visit.is_(None), last_visit < cutoff)))
    if only is not None:
        stmt = stmt.where(Enterprise.id == only)
    return [Finding("no_visit", "yellow", eid, region_id,
                    detail={"last_visit_at": as_utc(last).isoformat() if last else None})
            for eid, region_id, last in db.session.execute(stmt)]


def _problem_rows(only: int | None, *conditions) -> Select:
    stmt = (select(Problem.id, Problem.enterprise_id, Enterprise.region_id, Problem.owning_region_id,
                   Problem.number, Problem.accepted_at, Problem.due_at, Problem.acceptance_due_at,
                   Problem.reopen_count)
            .join(Enterprise, Enterprise.id == Problem.enterprise_id).where(*conditions))
    return stmt.where(Problem.id == only) if only is not None else stmt


def problem_findings(only: int | None, now: datetime) -> list[Finding]:
    """Findings on problems: acceptance overdue, handling overdue, reopened too often (or the one given)."""
    found = []
    for row in db.session.execute(_problem_rows(
            only, Problem.status == "pending", Problem.acceptance_due_at.is_not(None),
            Problem.acceptance_due_at < now)):
        found.append(Finding("acceptance_overdue", "yellow", row.enterprise_id, row.region_id, row.id,
                             row.owning_region_id, {"number": row.number,
                                                    "acceptance_due_at": as_utc(row.acceptance_due_at).isoformat()}))
    found.extend(overdue_findings(only, now))
    for row in db.session.execute(_problem_rows(
            only, Problem.status.in_(OPEN), Problem.reopen_count >= REOPEN_LIMIT)):
        found.append(Finding("reopened", "orange", row.enterprise_id, row.region_id, row.id, row.owning_region_id,
                             {"number": row.number, "reopen_count": row.reopen_count}))
    # A 督办 deadline that passed while the problem is still open (resolved counts as done).
    for row in db.session.execute(_problem_rows(
            only, Problem.status.in_(("pending", "in_progress", "awaiting_info")), Problem.supervised.is_(True),
            Problem.supervision_deadline.is_not(None), Problem.supervision_deadline < now)
            .add_columns(Problem.supervision_deadline)):
        found.append(Finding("supervision_overdue", "orange", row.enterprise_id, row.region_id, row.id,
                             row.owning_region_id, {"number": row.number,
                                                    "deadline": as_utc(row.supervision_deadline).isoformat()}))
    return found


def overdue_findings(only: int | None, now: datetime) -> list[Finding]:
    """An open problem one of whose stints passed its due deadline while its clock ran: the stint
    that left for another task force stays late (办理段). Red past twice its limit, counted on the
    stint's own clock (it stops at leaving, or when the problem began awaiting info)."""
    stmt = (select(ProblemStint, Problem, Enterprise.region_id)
            .join(Problem, Problem.id == ProblemStint.problem_id)
            .join(Enterprise, Enterprise.id == Problem.enterprise_id)
            .where(Problem.status.in_(OPEN), ProblemStint.due_at.is_not(None), ProblemStint.due_at < now)
            .order_by(ProblemStint.problem_id, ProblemStint.id))
    if only is not None:
        stmt = stmt.where(Problem.id == only)
    worst: dict[int, tuple[int, Finding]] = {}
    for stint, problem, region_id in db.session.execute(stmt):
        if not stints.due_overdue(stint, problem, now):
            continue
        due, accepted = as_utc(stint.due_at), as_utc(stint.accepted_at)
        end = stints.clock_end(stint, problem, now)
        # Past twice its limit: the limit is due_at - accepted_at, so the clock passed due + limit.
        red = accepted is not None and due > accepted and end > due + (due - accepted)
        finding = Finding("overdue", "red" if red else "orange", problem.enterprise_id, region_id, problem.id,
                          stint.region_id, {"number": problem.number, "due_at": due.isoformat(),
                                            "stint_region_id": stint.region_id})
        rank = (SEVERITY_RANK[finding.severity], stint.left_at is None)
        if problem.id not in worst or rank >= worst[problem.id][0]:
            worst[problem.id] = (rank, finding)
    return [finding for _, finding in worst.values()]


def arrears_findings(only: int | None, today: date) -> list[Finding]:
    """A case repaying on a plan whose ended months planned more, cumulatively, than has been repaid so far:
    yellow one month behind, orange from two. It ends when the repayments catch up with the plan.
    Compared as exact decimals in Python (SQLite would sum NUMERIC as floating point)."""
    current = f"{today.year:04d}-{today.month:02d}"
    stmt = (select(ArrearsCase.id, ArrearsCase.creditor_enterprise_id, ArrearsCase.region_id,
                   ArrearsCase.repaid_10k, ArrearsPlanMonth.period, ArrearsPlanMonth.amount_10k)
            .join(ArrearsPlanMonth, ArrearsPlanMonth.case_id == ArrearsCase.id)
            .where(ArrearsCase.status == "repaying", ArrearsPlanMonth.period < current)
            .order_by(ArrearsCase.id, ArrearsPlanMonth.period))
    if only is not None:
        stmt = stmt.where(ArrearsCase.id == only)
    cases: dict[int, dict] = {}
    for case_id, enterprise_id, region_id, repaid, period, amount in db.session.execute(stmt):
        entry = cases.setdefault(case_id, {"enterprise_id": enterprise_id, "region_id": region_id,
                                           "repaid": repaid, "planned": Decimal(0), "behind": []})
        entry["planned"] += amount
        if entry["planned"] > entry["repaid"]:
            entry["behind"].append(period)
    found = []
    for case_id, entry in cases.items():
        if not entry["behind"]:
            continue
        months = len(entry["behind"])
        shortfall = entry["planned"] - entry["repaid"]
        found.append(Finding("arrears_behind", "orange" if months >= ARREARS_ORANGE_MONTHS else "yellow",
                             entry["enterprise_id"], entry["region_id"], arrears_case_id=case_id,
                             detail={"arrears_case_id": case_id, "months_behind": months,
                                     "since": entry["behind"][0], "shortfall_10k": f"{shortfall:.2f}"}))
    return found


def task_findings(only: int | None, now: datetime, *, problem_id: int | None = None) -> list[Finding]:
    """A task not signed by its sign-in deadline (yellow); an open task past its due date (orange; red once
    it is late by its whole limit again, the limit being due - dispatched). Both end when the task is
    signed, reported, refused, recalled or superseded."""
    stmt = (select(Task, Problem.number, Problem.enterprise_id, Problem.owning_region_id, Enterprise.region_id)
            .join(Problem, Problem.id == Task.problem_id).join(Enterprise, Enterprise.id == Problem.enterprise_id)
            .where(Task.status.in_(("dispatched", "signed", "reopened")),
                   or_(Task.due_at < now, and_(Task.status.in_(("dispatched", "reopened")), Task.sign_due_at < now))))
    if only is not None:
        stmt = stmt.where(Task.id == only)
    if problem_id is not None:
        stmt = stmt.where(Task.problem_id == problem_id)
    found = []
    for task, number, enterprise_id, owner_id, region_id in db.session.execute(stmt):
        due, dispatched = as_utc(task.due_at), as_utc(task.dispatched_at)
        detail = {"number": number, "task_id": task.id, "department_id": task.department_id}
        if due < now:
            red = now > due + (due - dispatched)
            found.append(Finding("task_overdue", "red" if red else "orange", enterprise_id, region_id, task.problem_id,
                                 owner_id, {**detail, "due_at": due.isoformat()}, task.id, task.department_id))
        if task.status in ("dispatched", "reopened") and as_utc(task.sign_due_at) < now:
            found.append(Finding("task_unsigned", "yellow", enterprise_id, region_id, task.problem_id, owner_id,
                                 {**detail, "sign_due_at": as_utc(task.sign_due_at).isoformat()}, task.id,
                                 task.department_id))
    return found
