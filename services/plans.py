"""一企一策: a versioned plan per enterprise; every save is a new draft version, history kept."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from services import audit, notifications
from services.actors import Actor, enterprise_clause, is_assigned_liaison
from services.db import db, unit_of_work, utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, VersionMismatch
from services.models import Department, Enterprise, EnterprisePlan, Problem
from services.roles import Role


def _enterprise(actor: Actor, enterprise_id: int) -> Enterprise:
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.id == enterprise_id, enterprise_clause(actor)))
    if enterprise is None:
        raise NotFound("企业不存在")
    return enterprise


def _latest(enterprise_id: int) -> EnterprisePlan | None:
    return db.session.scalar(select(EnterprisePlan).where(EnterprisePlan.enterprise_id == enterprise_id)
                             .order_by(EnterprisePlan.version.desc()).limit(1))


def get_current(*, actor: Actor, enterprise_id: int) -> EnterprisePlan:
    _enterprise(actor, enterprise_id)
    plan = _latest(enterprise_id)
    if plan is None:
        raise NotFound("该企业尚无一企一策方案")
    return plan


def list_versions(*, actor: Actor, enterprise_id: int) -> Select:
    _enterprise(actor, enterprise_id)
    return select(EnterprisePlan).where(EnterprisePlan.enterprise_id == enterprise_id)


def get_version(*, actor: Actor, enterprise_id: int, version: int) -> EnterprisePlan:
    _enterprise(actor, enterprise_id)
    plan = db.session.scalar(select(EnterprisePlan).where(EnterprisePlan.enterprise_id == enterprise_id,
                                                          EnterprisePlan.version == version))
    if plan is None:
        raise NotFound("方案版本不存在")
    return plan


def check_measures(measures: list[dict]) -> list[dict]:
    ids = {m["responsible_department"] for m in measures if m.get("responsible_department") is not None}
    known = set(db.session.scalars(select(Department.id).where(Department.id.in_(ids)))) if ids else set()
    for index, measure in enumerate(measures):
        if measure.get("responsible_department") is not None and measure["responsible_department"] not in known:
            raise ValidationFailed("责任部门不存在", field=f"measures.{index}.responsible_department")
    return [{**m, "due_date": m["due_date"].isoformat() if m.get("due_date") else None} for m in measures]


def _check_problems(actor: Actor, enterprise_id: int, problem_ids: list[int]) -> list[int]:
    wanted = sorted(set(problem_ids))
    found = set(db.session.scalars(select(Problem.id).where(
        Problem.id.in_(wanted), Problem.enterprise_id == enterprise_id, enterprise_clause(actor, Problem.enterprise_id))))
    if len(found) != len(wanted):
        raise NotFound("关联的问题不存在", errors={"problem_ids": ["问题不存在或不属于该企业"]})
    return wanted


@unit_of_work()
def save(*, actor: Actor, enterprise_id: int, expected_version: int, situation: str = "",
         measures: list[dict] | None = None, contingency: str = "", problem_ids: list[int] | None = None
         ) -> EnterprisePlan:
    """Write version n+1 as a draft; expected_version is the current version (0 for the first plan)."""
    enterprise = _enterprise(actor, enterprise_id)
    if not (actor.role == Role.COORDINATOR or is_assigned_liaison(actor, enterprise.id)):
        raise Forbidden("只有派驻联络员或属地专班可以编制方案")
    current = db.session.scalar(select(func.max(EnterprisePlan.version)).where(
        EnterprisePlan.enterprise_id == enterprise.id)) or 0
    if expected_version != current:
        raise VersionMismatch()
    plan = EnterprisePlan(enterprise_id=enterprise.id, version=current + 1, status="draft", situation=situation,
                          measures=check_measures(measures or []), contingency=contingency,
                          problem_ids=_check_problems(actor, enterprise.id, problem_ids or []),
                          created_by_id=actor.user_id)
    db.session.add(plan)
    try:
        db.session.flush()
    except IntegrityError:  # another save of the same version won the race
        db.session.rollback()
        raise VersionMismatch() from None
    recipients = notifications.enterprise_liaisons(enterprise.id) + notifications.task_force_users(enterprise.region_id)
    notifications.notify(recipients, kind="plan.saved", title=f"一企一策方案已更新：{enterprise.name}",
                         body=f"第 {plan.version} 版（草稿）", object_type="enterprise", object_id=enterprise.id,
                         exclude=actor.user_id)
    audit.record(actor, "plan.saved", "enterprise", enterprise.id, {"version": plan.version})
    return plan


@unit_of_work()
def approve(*, actor: Actor, enterprise_id: int, expected_version: int | None = None) -> EnterprisePlan:
    """Approve the latest version: only a coordinator of the task force of the plan's region (the
    enterprise's county) approves it — never a coordinator above, and never the one who drafted it."""
    enterprise = _enterprise(actor, enterprise_id)
    if actor.role != Role.COORDINATOR or actor.region_id != enterprise.region_id:
        raise Forbidden("只有企业属地专班可以审批方案")
    plan = _latest(enterprise.id)
    if plan is None:
        raise NotFound("该企业尚无一企一策方案")
    if plan.created_by_id is not None and plan.created_by_id == actor.user_id:
        raise Forbidden("方案编制人不能审批自己编制的方案")
    if expected_version is not None and expected_version != plan.version:
        raise VersionMismatch()
    if plan.status == "approved":
        raise Conflict("该版本已审批")
    plan.status, plan.approved_by_id, plan.approved_at = "approved", actor.user_id, utcnow()
    recipients = notifications.enterprise_liaisons(enterprise.id) + notifications.enterprise_users(enterprise.id)
    notifications.notify(recipients, kind="plan.approved", title=f"一企一策方案已审批：{enterprise.name}",
                         body=f"第 {plan.version} 版", object_type="enterprise", object_id=enterprise.id,
                         exclude=actor.user_id)
    audit.record(actor, "plan.approved", "enterprise", enterprise.id, {"version": plan.version})
    return plan
