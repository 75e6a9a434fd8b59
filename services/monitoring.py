"""监测预警: the warning rules, the scan that opens and closes warnings, the writers' hooks, and reading them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from services import audit, notifications
from services.actors import Actor, enterprise_clause, region_in_scope, subtree_region_ids
from services.db import db, utcnow
from services.errors import Forbidden, InvalidTransition, NotFound, VersionMismatch
from services.filters import where_one_of
from services.models import (
    Enterprise, EnterpriseChange, EnterpriseTag, Problem, ProblemStint, Region, StatusReport, Visit, Warning,
)
from services.models.monitoring import SEVERITIES
from services.models.problems import OPEN_STATUSES
from services.problems import stints

DROP_YELLOW = 0.20
DROP_RED = 0.40
NO_VISIT_DAYS = 30
# Past due: see services/problems/stints.py (the stint rule; awaiting_info is stopped time).
REOPEN_STATUSES = ("pending", "in_progress", "awaiting_info", "resolved")
REOPEN_LIMIT = 2
ENTERPRISE_TYPES = ("employment_drop", "halted", "no_visit")
PROBLEM_TYPES = ("acceptance_overdue", "overdue", "reopened")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
SYSTEM = Actor.system("monitoring")

TYPE_TITLES = {
    "employment_drop": "用工异常", "halted": "企业停产", "no_visit": "重点企业超过 30 天未走访",
    "acceptance_overdue": "问题超期未受理", "overdue": "问题办理超期", "reopened": "问题多次退回重办",
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

    @property
    def subject(self) -> str:
        return f"problem:{self.problem_id}" if self.problem_id is not None else f"enterprise:{self.enterprise_id}"


# ---------------------------------------------------------------- rules (each one query, any number of subjects)

def _drop_severity(old: int | None, new: int | None) -> tuple[str, float] | None:
    if not old or new is None or old <= 0 or new >= old:
        return None
    drop = (old - new) / old
    if drop >= DROP_RED:
        return "red", drop
    if drop >= DROP_YELLOW:
        return "yellow", drop
    return None


def _employment_findings(only: int | None) -> list[Finding]:
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


def _halted_findings(only: int | None) -> list[Finding]:
    stmt = select(Enterprise.id, Enterprise.region_id).where(
        Enterprise.operating_status == "halted", Enterprise.deregistered_on.is_(None))
    if only is not None:
        stmt = stmt.where(Enterprise.id == only)
    return [Finding("halted", "orange", eid, region_id) for eid, region_id in db.session.execute(stmt)]


def _no_visit_findings(only: int | None, now: datetime) -> list[Finding]:
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
                    detail={"last_visit_at": _aware(last).isoformat() if last else None})
            for eid, region_id, last in db.session.execute(stmt)]


def _problem_rows(only: int | None, *conditions) -> Select:
    stmt = (select(Problem.id, Problem.enterprise_id, Enterprise.region_id, Problem.owning_region_id,
                   Problem.number, Problem.accepted_at, Problem.due_at, Problem.acceptance_due_at,
                   Problem.reopen_count)
            .join(Enterprise, Enterprise.id == Problem.enterprise_id).where(*conditions))
    return stmt.where(Problem.id == only) if only is not None else stmt


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def _problem_findings(only: int | None, now: datetime) -> list[Finding]:
    found = []
    for row in db.session.execute(_problem_rows(
            only, Problem.status == "pending", Problem.acceptance_due_at.is_not(None),
            Problem.acceptance_due_at < now)):
        found.append(Finding("acceptance_overdue", "yellow", row.enterprise_id, row.region_id, row.id,
                             row.owning_region_id, {"number": row.number,
                                                    "acceptance_due_at": _aware(row.acceptance_due_at).isoformat()}))
    found.extend(_overdue_findings(only, now))
    for row in db.session.execute(_problem_rows(
            only, Problem.status.in_(REOPEN_STATUSES), Problem.reopen_count >= REOPEN_LIMIT)):
        found.append(Finding("reopened", "orange", row.enterprise_id, row.region_id, row.id, row.owning_region_id,
                             {"number": row.number, "reopen_count": row.reopen_count}))
    return found


def _overdue_findings(only: int | None, now: datetime) -> list[Finding]:
    """An open problem one of whose stints passed its due deadline while its clock ran: the stint
    that left for another task force stays late (办理段). Red past twice its limit, counted on the
    stint's own clock (it stops at leaving, or when the problem began awaiting info)."""
    stmt = (select(ProblemStint, Problem, Enterprise.region_id)
            .join(Problem, Problem.id == ProblemStint.problem_id)
            .join(Enterprise, Enterprise.id == Problem.enterprise_id)
            .where(Problem.status.in_(OPEN_STATUSES), ProblemStint.due_at.is_not(None), ProblemStint.due_at < now)
            .order_by(ProblemStint.problem_id, ProblemStint.id))
    if only is not None:
        stmt = stmt.where(Problem.id == only)
    worst: dict[int, tuple[int, Finding]] = {}
    for stint, problem, region_id in db.session.execute(stmt):
        if not stints.due_overdue(stint, problem, now):
            continue
        due, accepted = _aware(stint.due_at), _aware(stint.accepted_at)
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


# ---------------------------------------------------------------- reconciling findings with stored warnings

@dataclass
class SyncResult:
    opened: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.opened or self.escalated or self.closed)

    def as_dict(self) -> dict:
        return {"opened": len(self.opened), "escalated": len(self.escalated), "closed": len(self.closed)}


def _sync(findings: list[Finding], existing_stmt: Select, now: datetime) -> SyncResult:
    """Open what is called for and missing, escalate what got worse, close what no longer holds.
    Severity only rises on a live warning: a red warning stays red until its cause ends."""
    result = SyncResult()
    live = {(w.type, w.subject): w for w in db.session.scalars(existing_stmt.where(Warning.state != "closed"))}
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
        if warning.region_id != finding.region_id:
            warning.region_id = finding.region_id
    if result.changed:
        audit.record(SYSTEM, "warning.synced", "warning", None,
                     {"opened": result.opened, "escalated": result.escalated, "closed": result.closed})
    return result


def _open(finding: Finding, now: datetime) -> Warning | None:
    """Insert in a savepoint: a concurrent writer (or the scan) that opened the same warning first wins
    through the one-live-warning index, and this transaction carries on without it."""
    warning = Warning(type=finding.type, severity=finding.severity, state="open", subject=finding.subject,
                      enterprise_id=finding.enterprise_id, problem_id=finding.problem_id,
                      region_id=finding.region_id, detail=finding.detail, opened_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(warning)
    except IntegrityError:
        return None
    return warning


def _notify(warning: Warning, finding: Finding, *, escalated: bool) -> None:
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
    enterprise = db.session.get(Enterprise, finding.enterprise_id)
    prefix = "预警升级" if escalated else "预警"
    label = {"yellow": "黄色", "orange": "橙色", "red": "红色"}[warning.severity]
    body = enterprise.name if enterprise else ""
    if finding.detail.get("number"):
        body += f" · {finding.detail['number']}"
    notifications.notify(users, kind="warning.opened", title=f"{prefix}（{label}）：{TYPE_TITLES[warning.type]}",
                         body=body, object_type="warning", object_id=warning.id)


def _subjects_stmt(types: tuple[str, ...], subject: str | None = None) -> Select:
    stmt = select(Warning).where(Warning.type.in_(types))
    return stmt.where(Warning.subject == subject) if subject is not None else stmt


def reconcile_all(*, now: datetime | None = None) -> SyncResult:
    """Evaluate every rule over all data and reconcile, in the caller's transaction."""
    now = now or utcnow()
    findings = [*_employment_findings(None), *_halted_findings(None), *_no_visit_findings(None, now),
                *_problem_findings(None, now)]
    return _sync(findings, _subjects_stmt(ENTERPRISE_TYPES + PROBLEM_TYPES), now)


def scan(*, now: datetime | None = None) -> SyncResult:
    """flask scan: reconcile everything and commit once. Running it twice changes nothing."""
    result = reconcile_all(now=now)
    db.session.commit()
    return result


def on_enterprise_observed(enterprise: Enterprise, *, now: datetime | None = None) -> SyncResult:
    """Hook for writers that changed an enterprise's status, headcount or tags: runs in their
    transaction and never commits."""
    now = now or utcnow()
    db.session.flush()
    only = enterprise.id
    findings = [*_employment_findings(only), *_halted_findings(only), *_no_visit_findings(only, now)]
    return _sync(findings, _subjects_stmt(ENTERPRISE_TYPES, f"enterprise:{only}"), now)


def on_problem_changed(problem: Problem, *, now: datetime | None = None) -> SyncResult:
    """Hook for the problem workflow after any change of status, deadline or reopen count; no commit."""
    now = now or utcnow()
    db.session.flush()
    return _sync(_problem_findings(problem.id, now), _subjects_stmt(PROBLEM_TYPES, f"problem:{problem.id}"), now)


# ---------------------------------------------------------------- reading and acknowledging

def _check_reader(actor: Actor) -> None:
    if actor.role == "enterprise":
        raise Forbidden("预警信息仅供工作人员查看")


def list_warnings(*, actor: Actor, state: str | list[str] | None = None, severity: str | list[str] | None = None,
                  type: str | list[str] | None = None, region: int | None = None, enterprise: int | None = None) -> Select:
    _check_reader(actor)
    stmt = select(Warning).where(enterprise_clause(actor, Warning.enterprise_id))
    for column, values in ((Warning.state, state), (Warning.severity, severity), (Warning.type, type)):
        stmt = where_one_of(stmt, column, values)
    if enterprise is not None:
        stmt = stmt.where(Warning.enterprise_id == enterprise)
    if region is not None:
        root = db.session.get(Region, region)
        if root is None:
            return stmt.where(False)
        stmt = stmt.where(Warning.region_id.in_(subtree_region_ids(root.path)))
    return stmt


def get_warning_or_raise(*, actor: Actor, warning_id: int) -> Warning:
    _check_reader(actor)
    warning = db.session.scalar(select(Warning).where(Warning.id == warning_id,
                                                     enterprise_clause(actor, Warning.enterprise_id)))
    if warning is None:
        raise NotFound("预警不存在")
    return warning


def acknowledge(*, actor: Actor, warning_id: int, note: str, expected_version: int | None = None) -> Warning:
    warning = get_warning_or_raise(actor=actor, warning_id=warning_id)
    region = db.session.get(Region, warning.region_id)
    if not (actor.is_admin or (actor.role == "coordinator" and region_in_scope(actor, region))):
        raise Forbidden("只有辖区专班协调员可以确认预警")
    if expected_version is not None and expected_version != warning.version:
        raise VersionMismatch()
    if warning.state != "open":
        raise InvalidTransition("该预警已确认或已解除", extra={"current_status": warning.state,
                                                        "allowed_actions": []})
    warning.state = "acknowledged"
    warning.acknowledged_at = utcnow()
    warning.acknowledged_by_id = actor.user_id
    warning.acknowledge_note = note
    audit.record(actor, "warning.acknowledged", "warning", warning.id, {"note": note})
    db.session.commit()
    return warning
