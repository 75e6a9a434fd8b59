"""The scan and the writers' hooks: findings reconciled with the stored warnings (open, escalate, close)."""


from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from services import audit, notifications
from services.db import db, unit_of_work, utcnow
from services.delivery import reminders
from services.roles import Role
from services.timeutil import to_local
from services.models import (
    Enterprise,
    Problem,
    Region,
    EarlyWarning,
    User,
)
from services.monitoring.rules import (
    ARREARS_TYPES,
    ENTERPRISE_TYPES,
    PROBLEM_TYPES,
    SEVERITY_RANK,
    TASK_TYPES,
    SYSTEM,
    TYPE_TITLES,
    Finding,
    arrears_findings,
    employment_findings,
    halted_findings,
    no_visit_findings,
    problem_findings,
    task_findings,
)


@dataclass
class SyncResult:
    opened: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    reminders: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """Whether the sync opened, escalated or closed any warning."""
        return bool(self.opened or self.escalated or self.closed)

    def as_dict(self) -> dict:
        """How many warnings the sync opened, escalated and closed."""
        return {"opened": len(self.opened), "escalated": len(self.escalated), "closed": len(self.closed)}


def _reconcile(findings: list[Finding], existing_stmt: Select, now: datetime) -> SyncResult:
    """Open what is called for and missing, escalate what got worse, close what no longer holds.
    Severity only rises on a live warning: a red warning stays red until its cause ends."""
    result = SyncResult()
    live = {(w.type, w.subject): w for w in db.session.scalars(existing_stmt.where(EarlyWarning.state != "closed"))}
    wanted = {(f.type, f.subject): f for f in findings}
    for key, warning in live.items():
        if key not in wanted:
            warning.state, warning.closed_at = "closed", now
            result.closed.append(warning.id)
    for key, finding in wanted.items():
        warning = live.get(key)
        if warning is None:
            warning = _open(finding, now)
            if warning is not None:
                result.opened.append(warning.id)
                _notify(warning, finding, escalated=False)
            continue
        if SEVERITY_RANK[finding.severity] > SEVERITY_RANK[warning.severity]:
            warning.severity, warning.detail = finding.severity, finding.detail
            result.escalated.append(warning.id)
            _notify(warning, finding, escalated=True)
        elif finding.type in ARREARS_TYPES and warning.detail != finding.detail:
            warning.detail = finding.detail  # how far behind, as it now stands (the severity still only rises)
        if warning.region_id != finding.region_id:
            warning.region_id = finding.region_id
    if result.changed:
        audit.record(SYSTEM, "warning.synced", "warning", None,
                     {"opened": result.opened, "escalated": result.escalated, "closed": result.closed})
    return result


def _open(finding: Finding, now: datetime) -> EarlyWarning | None:
    """Insert in a savepoint: a concurrent writer (or the scan) that opened the same warning first wins
    through the one-live-warning index, and this transaction carries on without it."""
    warning = EarlyWarning(type=finding.type, severity=finding.severity, state="open", subject=finding.subject,
                      enterprise_id=finding.enterprise_id, problem_id=finding.problem_id,
                      region_id=finding.region_id, detail=finding.detail, opened_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(warning)
    except IntegrityError:
        return None
    return warning


def _notify(warning: EarlyWarning, finding: Finding, *, escalated: bool) -> None:
    """The enterprise's county task force; for a problem also the task force holding it, and on
    overdue the one above that (the parent task force is told of overdue work)."""
    regions = {finding.region_id}
    if finding.owning_region_id is not None:
        regions.add(finding.owning_region_id)
        if finding.type == "overdue":
            owner = db.session.get(Region, finding.owning_region_id)
            if owner is not None and owner.parent_id is not None:
                regions.add(owner.parent_id)
    users = [u for region_id in sorted(regions) for u in notifications.task_force_users(region_id)]
    if finding.department_id is not None:  # a late task: its department is told too
        users += list(db.session.scalars(select(User.id).where(
            User.role == Role.DEPARTMENT, User.department_id == finding.department_id, User.is_active.is_(True))))
    enterprise = db.session.get(Enterprise, finding.enterprise_id)
    prefix = "预警升级" if escalated else "预警"
    label = {"yellow": "黄色", "orange": "橙色", "red": "红色"}[warning.severity]
    body = enterprise.name if enterprise else ""
    if finding.detail.get("number"):
        body += f" · {finding.detail['number']}"
    notifications.notify(users, kind="warning.opened", title=f"{prefix}（{label}）：{TYPE_TITLES[warning.type]}",
                         body=body, object_type="warning", object_id=warning.id)


def _subjects_stmt(types: tuple[str, ...], subject: str | None = None) -> Select:
    stmt = select(EarlyWarning).where(EarlyWarning.type.in_(types))
    return stmt.where(EarlyWarning.subject == subject) if subject is not None else stmt


def reconcile_all(*, now: datetime | None = None) -> SyncResult:
    """Evaluate every rule over all data and reconcile, in the caller's transaction."""
    now = now or utcnow()
    findings = [*employment_findings(None), *halted_findings(None), *no_visit_findings(None, now),
                *problem_findings(None, now), *task_findings(None, now),
                *arrears_findings(None, to_local(now).date())]
    return _reconcile(findings, _subjects_stmt(ENTERPRISE_TYPES + PROBLEM_TYPES + TASK_TYPES + ARREARS_TYPES), now)


@unit_of_work()
def scan(*, now: datetime | None = None) -> SyncResult:
    """flask scan: reconcile everything, send the deadline messages that are due, and commit once. Running
    it twice changes nothing."""
    now = now or utcnow()
    result = reconcile_all(now=now)
    result.reminders = reminders.run(now=now).sent
    return result


def on_enterprise_observed(enterprise: Enterprise, *, now: datetime | None = None) -> SyncResult:
    """Hook for writers that changed an enterprise's status, headcount or tags: runs in their
    transaction and never commits."""
    now = now or utcnow()
    db.session.flush()
    only = enterprise.id
    findings = [*employment_findings(only), *halted_findings(only), *no_visit_findings(only, now)]
    return _reconcile(findings, _subjects_stmt(ENTERPRISE_TYPES, f"enterprise:{only}"), now)


def on_problem_changed(problem: Problem, *, now: datetime | None = None) -> SyncResult:
    """Hook for the problem workflow after any change of status, deadline or reopen count; no commit."""
    now = now or utcnow()
    db.session.flush()
    result = _reconcile(problem_findings(problem.id, now), _subjects_stmt(PROBLEM_TYPES, f"problem:{problem.id}"),
                        now)
    # Its tasks: a resolve supersedes them, a feedback reopens the lead, a dispatch adds new ones.
    if not problem.tasks:  # never dispatched: no task warning to open or close
        return result
    tasks = _reconcile(task_findings(None, now, problem_id=problem.id),
                       select(EarlyWarning).where(EarlyWarning.type.in_(TASK_TYPES),
                                                  EarlyWarning.problem_id == problem.id), now)
    return SyncResult(result.opened + tasks.opened, result.escalated + tasks.escalated, result.closed + tasks.closed)


def on_task_changed(task, *, now: datetime | None = None) -> SyncResult:
    """Hook for the task cycle after any change of a task's status or deadlines; no commit."""
    now = now or utcnow()
    db.session.flush()
    return _reconcile(task_findings(task.id, now), _subjects_stmt(TASK_TYPES, f"task:{task.id}"), now)


def on_arrears_changed(case, *, now: datetime | None = None) -> SyncResult:
    """Hook for the arrears ledger after a plan, a repayment, a correction or the closing; no commit."""
    now = now or utcnow()
    db.session.flush()
    return _reconcile(arrears_findings(case.id, to_local(now).date()),
                      _subjects_stmt(ARREARS_TYPES, f"arrears:{case.id}"), now)
