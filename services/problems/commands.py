"""Use cases that change problems. Every one is a single transaction."""

from __future__ import annotations

from sqlalchemy import select

from services import audit, notifications
from services.actors import Actor, enterprise_clause, is_assigned_liaison
from services.db import db, utcnow
from services.errors import Forbidden, NotFound
from services.models import Enterprise, LedgerCounter, Problem, ProblemEvent
from services.timeutil import to_local

NUMBER_PREFIX = "LX"


def next_number(year: int) -> str:
    """Sequential per year; the counter row lock serialises concurrent filers (no gaps, no duplicates)."""
    counter = db.session.scalar(select(LedgerCounter).where(LedgerCounter.year == year).with_for_update())
    if counter is None:
        db.session.add(LedgerCounter(year=year, last=0))
        db.session.flush()
        counter = db.session.scalar(select(LedgerCounter).where(LedgerCounter.year == year).with_for_update())
    counter.last += 1
    return f"{NUMBER_PREFIX}-{year}-{counter.last:06d}"


def _source_for(actor: Actor, enterprise: Enterprise) -> str:
    if actor.role == "enterprise" and actor.enterprise_id == enterprise.id:
        return "enterprise"
    if actor.role == "liaison" and is_assigned_liaison(actor, enterprise.id):
        return "liaison"
    if actor.role == "coordinator" or actor.is_admin:
        return "coordinator"
    raise Forbidden("无权为该企业登记问题")


def file_problem(*, actor: Actor, enterprise_id: int, category: str, title: str, description: str = "",
                 scope: str = "county", urgency: str = "normal", visit_id: int | None = None) -> Problem:
    """Add a problem to the ledger, pending at the enterprise's county task force. No commit:
    create_problem commits; a visit files its problems inside its own transaction."""
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.id == enterprise_id, enterprise_clause(actor)))
    if enterprise is None:
        raise NotFound("企业不存在", errors={"enterprise_id": ["企业不存在"]})
    source = _source_for(actor, enterprise)
    now = utcnow()
    problem = Problem(
        number=next_number(to_local(now).year), enterprise_id=enterprise.id, source=source, filer_id=actor.user_id,
        visit_id=visit_id, category=category, title=title, description=description, scope=scope, urgency=urgency,
        level="county", owning_region_id=enterprise.region_id, status="pending", arrived_at=now,
    )
    db.session.add(problem)
    db.session.flush()
    db.session.add(ProblemEvent(problem_id=problem.id, actor_id=actor.user_id, action="create", to_status="pending",
                                to_level="county", comment=title, at=now))
    notifications.notify(notifications.task_force_users(enterprise.region_id), kind="problem.arrived",
                         title=f"新问题待受理：{title}", body=f"{enterprise.name} · {problem.number}",
                         object_type="problem", object_id=problem.id, exclude=actor.user_id)
    audit.record(actor, "problem.created", "problem", problem.id,
                 {"number": problem.number, "enterprise_id": enterprise.id, "scope": scope, "source": source})
    return problem


def create_problem(*, actor: Actor, **fields) -> Problem:
    problem = file_problem(actor=actor, **fields)
    db.session.commit()
    return problem
