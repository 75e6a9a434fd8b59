"""Use cases that change problems: filing and numbering, and taking workflow actions (effects.py, relations.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import configure_mappers, selectinload
from sqlalchemy.orm.attributes import flag_modified, set_committed_value

from services import audit, monitoring, notifications
from services.actors import Actor, enterprise_clause, is_assigned_liaison, problem_clause
from services.permissions import is_own_enterprise
from services.db import db, increment, unit_of_work, utcnow
from services.delivery import enterprise as enterprise_steps
from services.errors import Forbidden, InvalidTransition, NotFound, VersionMismatch
from services.labels import ENUM_LABELS
from services.models import Enterprise, LedgerCounter, Problem, ProblemEvent
from services.problems import queries, stints, workflow
from services.problems.deadlines import add_working_days
from services.problems.effects import EFFECTS, who_acted
from services.problems.limits import limits
from services.problems.relations import allowed_actions, roles_for  # noqa: F401 - part of this module's API
from services.roles import Role
from services.timeutil import to_local

NUMBER_PREFIX = "LX"


def next_number(year: int) -> str:
    """The year's next ledger number, one statement, never a duplicate. PostgreSQL: the year's sequence
    (ledger_next_number(), migration 0012), so concurrent filers never wait for each other; a filing that rolls
    back after taking its number leaves a gap. SQLite: the year's counter row, upserted (writers are serialised
    there anyway, and a rollback takes the number back)."""
    if db.session.get_bind().dialect.name == "postgresql":
        last = db.session.scalar(select(func.ledger_next_number(year)))
    else:
        last = increment(LedgerCounter, keys={"year": year}, column="last")
    return f"{NUMBER_PREFIX}-{year}-{last:06d}"


def _source_for(actor: Actor, enterprise: Enterprise) -> str:
    if is_own_enterprise(actor, enterprise.id):
        return "enterprise"
    if actor.role == Role.LIAISON and is_assigned_liaison(actor, enterprise.id):
        return "liaison"
    if actor.role == Role.COORDINATOR:
        return "coordinator"
    raise Forbidden("无权为该企业登记问题")


def _add_event(problem: Problem, actor: Actor, action: str, *, before: tuple[str | None, str | None],
               comment: str | None = None, internal: bool = False, data: dict | None = None,
               at: datetime) -> ProblemEvent:
    event = ProblemEvent(problem_id=problem.id, actor_id=actor.user_id, action=action, from_status=before[0],
                         to_status=problem.status, from_level=before[1], to_level=problem.level, comment=comment,
                         internal=internal, data=data or {}, at=at)
    problem.events.append(event)  # the timeline the answer shows includes it without reading back
    return event


def file_problem(*, actor: Actor, enterprise_id: int, category: str, title: str, description: str = "",
                 scope: str = "county", urgency: str = "normal", visit_id: int | None = None,
                 now: datetime | None = None, enterprise: Enterprise | None = None,
                 source: str | None = None) -> Problem:
    """Add a problem to the ledger, pending at the enterprise's county task force. No commit:
    create_problem commits; a visit files its problems inside its own transaction, passing the enterprise it
    loaded in the actor's scope and the source its own check established.
    Raises NotFound (enterprise out of scope), Forbidden (neither its user, its liaison nor a coordinator)."""
    if enterprise is None:
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.id == enterprise_id,
                                                                enterprise_clause(actor)))
        if enterprise is None:
            raise NotFound("企业不存在", errors={"enterprise_id": ["企业不存在"]})
    source = source or _source_for(actor, enterprise)
    now = now or utcnow()
    problem = Problem(
        number=next_number(to_local(now).year), enterprise_id=enterprise.id, source=source, filer_id=actor.user_id,
        visit_id=visit_id, category=category, title=title, description=description, scope=scope, urgency=urgency,
        level="county", owning_region_id=enterprise.region_id, status="pending", arrived_at=now,
        acceptance_due_at=add_working_days(now, limits.acceptance_days), created_at=now, updated_at=now,
        events=[], stints=[], tasks=[],  # a new problem's collections are empty: appending loads nothing
    )
    set_committed_value(problem, "enterprise", enterprise)  # held: the answer and the figures need no read
    db.session.add(problem)
    db.session.flush()
    stints.open_stint(problem, now)
    _add_event(problem, actor, "create", before=(None, None), comment=title, at=now)
    task_force, leaders = notifications.filing_recipients(enterprise.region_id, enterprise.id)
    told = {"body": f"{enterprise.name} · {problem.number}", "object_type": "problem", "object_id": problem.id}
    notifications.notify_all([(task_force, {"kind": "problem.arrived", "title": f"新问题待受理：{title}", **told}),
                              (leaders, {"kind": "problem.filed", "title": f"包抓企业有新问题：{title}", **told})],
                             exclude=actor.user_id)
    if problem.acceptance_due_at < now:
        # Only a filing dated in the past can already be overdue. A problem filed now matches no other rule
        # (no stint has a due date yet, never reopened or supervised, no task) and no warning names it yet.
        monitoring.on_problem_changed(problem, now=now)
    audit.record(actor, "problem.created", "problem", problem.id,
                 {"number": problem.number, "enterprise_id": enterprise.id, "scope": scope, "source": source})
    return problem


def create_problem(*, actor: Actor, **fields) -> Problem:
    """File a problem as its own transaction and return it as the filer sees it; raises as file_problem."""
    with unit_of_work(keep_loaded=True):
        problem = file_problem(actor=actor, **fields)
        db.session.flush()
        queries.as_seen_by(actor, problem)
    return problem


# --- who the caller is to a problem ----------------------------------------------------------


def _with_needs() -> tuple:
    """The answer shows the linked needs: loaded inside the action's transaction (after the commit they would cost
    a transaction of their own, on SQLite a BEGIN IMMEDIATE that queues behind every writer)."""
    configure_mappers()  # Problem.needs is a backref of Need: there once the mappers are configured
    return (selectinload(Problem.needs).lazyload("*"),)


def _load_for_action(actor: Actor, problem_id: int) -> Problem:
    """The problem, row-locked: a racing action waits here and then sees the state the winner left."""
    problem = db.session.scalar(select(Problem).where(Problem.id == problem_id, problem_clause(actor))
                                .options(*queries.WITH_TIMELINE, *_with_needs())
                                .with_for_update().execution_options(populate_existing=True))
    if problem is None:
        raise NotFound("问题不存在")
    return problem


def apply_action(*, actor: Actor, problem_id: int, action: str, payload: dict | None = None,
                 expected_version: int | None = None, now: datetime | None = None) -> Problem:
    """One workflow action inside the caller's transaction (no commit): 404 out of sight (NotFound), 403 not
    this caller's to take (Forbidden), 412 stale (VersionMismatch), 409 not now (InvalidTransition).
    The action's payload may also raise ValidationFailed (missing or bad field), NotFound (unknown department
    or duplicate), Forbidden (an enterprise's internal comment)."""
    if action not in EFFECTS:
        raise NotFound("未知的操作")
    payload = payload or {}
    now = now or utcnow()
    problem = _load_for_action(actor, problem_id)
    roles = roles_for(actor, problem)
    if not workflow.role_may(action, roles):
        raise Forbidden("无权对该问题执行此操作")
    if expected_version is not None and expected_version != problem.version:
        raise VersionMismatch()
    reason = workflow.blocked_reason(action, problem, roles, now)
    if reason:
        raise InvalidTransition(reason, extra={"current_status": problem.status,
                                               "allowed_actions": workflow.allowed_actions(roles, problem, now)})
    rule = workflow.TABLE[action]
    before = (problem.status, problem.level)
    holder = (problem.owning_region_id, problem.level, problem.acceptance_due_at, problem.accepted_at, problem.due_at)
    paused_since = problem.info_requested_at
    with db.session.no_autoflush:  # one UPDATE (one version step) per action
        # Every action bumps the version, so ETags see new events too. Marked before the effect runs, so an
        # effect that flushes its own rows (a dispatch's tasks) writes the problem's change in that same UPDATE.
        problem.updated_at = now
        flag_modified(problem, "updated_at")
        outcome = EFFECTS[action](problem, actor, payload, now)
        if isinstance(rule.to, str):
            problem.status = rule.to
        if problem.status not in rule.lands_on(before[0]):
            raise RuntimeError(f"{action} left the problem {problem.status}, which its rule does not list")
        stints.after_action(problem, action, at=now, paused_since=paused_since, previous=holder)
    _add_event(problem, actor, action, before=before, comment=outcome.comment, internal=outcome.internal,
               data=outcome.data, at=now)
    about = {"body": problem.number, "object_type": "problem", "object_id": problem.id}
    told = {actor.user_id}
    groups = []
    for user_ids, kind, title in outcome.notify:
        user_ids = [u for u in user_ids if u != actor.user_id]
        groups.append((user_ids, {"kind": kind, "title": title, **about}))
        told.update(user_ids)
    # 包抓 leaders follow every event of their enterprises' problems (they read internal ones too).
    leaders = [u for u in notifications.enterprise_leaders(problem.enterprise_id) if u not in told]
    groups.append((leaders, {"kind": "problem.event", **about,
                             "title": f"包抓企业问题{ENUM_LABELS['problem_action'].get(action, action)}"
                                      f"（{who_acted(actor)}）：{problem.title}"}))
    notifications.notify_all(groups)  # every notification of the action in one INSERT
    enterprise_steps.tell(problem, action, actor=actor, now=now)  # its users, or its contact by SMS
    monitoring.on_problem_changed(problem, now=now)
    audit.record(actor, f"problem.{action}", "problem", problem.id,
                 {"number": problem.number, "from": before[0], "to": problem.status, "level": problem.level,
                  **({"internal": True} if outcome.internal else {})})
    return problem


def take_action(*, actor: Actor, problem_id: int, action: str, payload: dict | None = None,
        expected_version: int | None = None, now: datetime | None = None) -> Problem:
    """Take one workflow action as its own transaction and return the problem as the caller now sees it
    (timeline, stints and allowed actions attached, nothing read back after the commit); raises as apply_action."""
    now = now or utcnow()
    with unit_of_work(keep_loaded=True):
        problem = apply_action(actor=actor, problem_id=problem_id, action=action, payload=payload,
                               expected_version=expected_version, now=now)
        db.session.flush()
        queries.as_seen_by(actor, problem, now=now)
    return problem
