"""Deadlines that act: the scan tells who must act before a deadline and who oversees it once it passed.

Each kind of deadline is a DeadlineKind in REGISTRY: a finder that returns what is due now, and the
message kind it sends. Every (kind, subject, phase, deadline) is sent once (DeadlineNotice rows), so
the scan may run as often as it likes; a moved deadline (an extension) is a new deadline and is told
again. Other modules add their own kinds with register() — departments' task sign and due dates do so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services import notifications
from services.db import db, utcnow
from services.models import DeadlineNotice, Problem, Region, User
from services.models.problems import OPEN
from services.problems.deadlines import working_days_between
from services.roles import Role
from services.timeutil import as_utc, to_local


@dataclass
class ReminderConfig:
    lead_working_days: int = 2


config = ReminderConfig()


def configure(*, lead_working_days: int | None = None) -> None:
    """Set the reminders' lead time from configuration, once at start-up."""
    if lead_working_days is not None:
        config.lead_working_days = lead_working_days


@dataclass(frozen=True)
class Due:
    """One deadline that calls for a message now."""

    subject_id: int
    deadline_at: datetime
    recipients: tuple[int, ...]
    title: str
    object_type: str = "problem"
    object_id: int | None = None


@dataclass(frozen=True)
class DeadlineKind:
    name: str  # e.g. "problem_due"; with the phase, the key of what was already sent
    phase: str  # "before" | "passed"
    message_kind: str  # the template (services/delivery/templates.py)
    find: Callable[[datetime], Iterable[Due]]


REGISTRY: list[DeadlineKind] = []


def register(kind: DeadlineKind) -> DeadlineKind:
    """Add a kind of deadline to the scan (idempotent per name and phase)."""
    REGISTRY[:] = [k for k in REGISTRY if (k.name, k.phase) != (kind.name, kind.phase)] + [kind]
    return kind


@dataclass
class ReminderResult:
    sent: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """How many reminders were sent in all."""
        return sum(self.sent.values())


def run(*, now: datetime | None = None) -> ReminderResult:
    """Send what is due and not yet sent, in the caller's transaction (the scan commits)."""
    now = now or utcnow()
    result = ReminderResult()
    for kind in REGISTRY:
        for due in kind.find(now):
            if not due.recipients or not _claim(kind, due, now):
                continue
            notifications.notify(due.recipients, kind=kind.message_kind, title=due.title,
                                 object_type=due.object_type, object_id=due.object_id or due.subject_id,
                                 extra={"deadline": f"{to_local(due.deadline_at):%m月%d日 %H:%M}"})
            result.sent[kind.message_kind] = result.sent.get(kind.message_kind, 0) + 1
    return result


def _claim(kind: DeadlineKind, due: Due, now: datetime) -> bool:
    """Record the notice in a savepoint: a concurrent scan that recorded it first wins, and this one skips it."""
    deadline = as_utc(due.deadline_at).replace(microsecond=0)
    exists = db.session.scalar(select(DeadlineNotice.id).where(
        DeadlineNotice.kind == kind.name, DeadlineNotice.subject_id == due.subject_id,
        DeadlineNotice.phase == kind.phase, DeadlineNotice.deadline_at == deadline))
    if exists is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(DeadlineNotice(kind=kind.name, subject_id=due.subject_id, phase=kind.phase,
                                          deadline_at=deadline, sent_at=now, recipients=len(due.recipients)))
    except IntegrityError:
        return False
    return True


# --- who is told -------------------------------------------------------------------------------------------


def task_force(region_id: int | None) -> list[int]:
    """The coordinators of a region's task force (none without a region)."""
    return notifications.task_force_users(region_id) if region_id is not None else []


def parent_task_force(region_id: int) -> list[int]:
    """The task force above; the province (which has none) is told itself."""
    region = db.session.get(Region, region_id)
    if region is None:
        return []
    return task_force(region.parent_id if region.parent_id is not None else region.id)


def department_users(department_id: int | None) -> list[int]:
    """The lead department's own users (承办单位); none until departments have accounts of their own."""
    role = getattr(Role, "DEPARTMENT", None)
    if department_id is None or role is None:
        return []
    return list(db.session.scalars(select(User.id).where(
        User.role == role, User.department_id == department_id, User.is_active.is_(True))))


# --- the problem's deadlines -------------------------------------------------------------------------------


def _horizon(now: datetime) -> datetime:
    # Two working days are at most a fortnight of calendar days even across the Spring Festival.
    return now + timedelta(days=config.lead_working_days * 3 + 14)


def problem_due_soon(now: datetime) -> Iterable[Due]:
    """Problems in progress whose due date is within the lead time: remind the holder."""
    rows = db.session.scalars(select(Problem).where(
        Problem.status == "in_progress", Problem.due_at.is_not(None), Problem.due_at > now,
        Problem.due_at <= _horizon(now)).order_by(Problem.id))
    for problem in rows:
        if working_days_between(now, problem.due_at) > config.lead_working_days:
            continue
        yield Due(problem.id, problem.due_at,
                  tuple(task_force(problem.owning_region_id) + department_users(problem.department_id)),
                  f"办理期限将至：{problem.title}")


def problem_due_passed(now: datetime) -> Iterable[Due]:
    """Problems in progress past their due date: tell the parent task force."""
    rows = db.session.scalars(select(Problem).where(
        Problem.status == "in_progress", Problem.due_at.is_not(None), Problem.due_at <= now).order_by(Problem.id))
    for problem in rows:
        yield Due(problem.id, problem.due_at, tuple(parent_task_force(problem.owning_region_id)),
                  f"下级办理超期：{problem.title}")


def acceptance_passed(now: datetime) -> Iterable[Due]:
    """Pending problems past their acceptance deadline: tell the parent task force."""
    rows = db.session.scalars(select(Problem).where(
        Problem.status == "pending", Problem.acceptance_due_at.is_not(None),
        Problem.acceptance_due_at <= now).order_by(Problem.id))
    for problem in rows:
        yield Due(problem.id, problem.acceptance_due_at, tuple(parent_task_force(problem.owning_region_id)),
                  f"下级超期未受理：{problem.title}")


def supervision_passed(now: datetime) -> Iterable[Due]:
    """Open supervised problems past their 督办 deadline: tell the supervisor."""
    rows = db.session.scalars(select(Problem).where(
        Problem.supervised.is_(True), Problem.supervision_deadline.is_not(None),
        Problem.supervision_deadline <= now, Problem.status.in_(OPEN)).order_by(Problem.id))
    for problem in rows:
        recipients = (problem.supervised_by_id,) if problem.supervised_by_id else ()
        yield Due(problem.id, problem.supervision_deadline, recipients, f"督办期限已过：{problem.title}")


register(DeadlineKind("problem_due", "before", "deadline.due_soon", problem_due_soon))
register(DeadlineKind("problem_due", "passed", "deadline.due_passed", problem_due_passed))
register(DeadlineKind("problem_acceptance", "passed", "deadline.acceptance_passed", acceptance_passed))
register(DeadlineKind("supervision", "passed", "deadline.supervision_passed", supervision_passed))
