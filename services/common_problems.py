"""共性问题: problems of several enterprises grouped under one joint solution."""

from __future__ import annotations

from sqlalchemy import Select, select

from services import audit
from services.actors import Actor, enterprise_clause, region_clause
from services.db import db, unit_of_work, utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.models import CommonProblem, Problem
from services.problems.commands import apply_action
from services.roles import Role


def _coordinator(actor: Actor) -> None:
    if actor.role != Role.COORDINATOR:
        raise Forbidden("只有专班协调员可以管理共性问题")


def _members(actor: Actor, problem_ids: list[int], group_id: int | None = None) -> list[Problem]:
    wanted = sorted(set(problem_ids))
    problems = list(db.session.scalars(select(Problem).where(
        Problem.id.in_(wanted), enterprise_clause(actor, Problem.enterprise_id))))
    if len(problems) != len(wanted):
        raise NotFound("问题不存在", errors={"problem_ids": ["问题不存在或不在本人辖区内"]})
    taken = [p.number for p in problems if p.common_problem_id not in (None, group_id)]
    if taken:
        raise Conflict("这些问题已归入其他共性问题：" + "、".join(taken))
    return problems


def list_common(*, actor: Actor) -> Select:
    return select(CommonProblem).where(region_clause(actor, CommonProblem.region_id))


def get_or_raise(*, actor: Actor, common_id: int) -> CommonProblem:
    group = db.session.scalar(select(CommonProblem).where(CommonProblem.id == common_id,
                                                          region_clause(actor, CommonProblem.region_id)))
    if group is None:
        raise NotFound("共性问题不存在")
    return group


@unit_of_work()
def create(*, actor: Actor, title: str, description: str = "", problem_ids: list[int]) -> CommonProblem:
    _coordinator(actor)
    if len(set(problem_ids)) < 2:
        raise ValidationFailed("共性问题至少包含两个问题", field="problem_ids")
    problems = _members(actor, problem_ids)
    group = CommonProblem(title=title, description=description, region_id=actor.region_id,
                          created_by_id=actor.user_id)
    db.session.add(group)
    db.session.flush()
    for problem in problems:
        problem.common_problem_id = group.id
    db.session.flush()
    db.session.refresh(group)
    audit.record(actor, "common_problem.created", "common_problem", group.id, {"problem_ids": sorted(problem_ids)})
    return group


@unit_of_work()
def add_members(*, actor: Actor, common_id: int, problem_ids: list[int]) -> CommonProblem:
    _coordinator(actor)
    group = get_or_raise(actor=actor, common_id=common_id)
    for problem in _members(actor, problem_ids, group.id):
        problem.common_problem_id = group.id
    audit.record(actor, "common_problem.members_added", "common_problem", group.id, {"problem_ids": problem_ids})
    return group


@unit_of_work()
def remove_member(*, actor: Actor, common_id: int, problem_id: int) -> None:
    _coordinator(actor)
    group = get_or_raise(actor=actor, common_id=common_id)
    problem = db.session.scalar(select(Problem).where(Problem.id == problem_id, Problem.common_problem_id == group.id,
                                                      enterprise_clause(actor, Problem.enterprise_id)))
    if problem is None:
        raise NotFound("该问题不在此共性问题中")
    problem.common_problem_id = None
    audit.record(actor, "common_problem.member_removed", "common_problem", group.id, {"problem_id": problem_id})


@unit_of_work()
def resolve(*, actor: Actor, common_id: int, resolution: str) -> dict:
    """Resolve every linked in_progress problem this task force holds, in one transaction; each
    still needs its enterprise's feedback before 销号. The others are reported, untouched."""
    _coordinator(actor)
    group = get_or_raise(actor=actor, common_id=common_id)
    resolved, skipped = [], []
    for problem in db.session.scalars(select(Problem).where(Problem.common_problem_id == group.id)
                                      .order_by(Problem.id)).all():
        if problem.status != "in_progress":
            skipped.append({"id": problem.id, "status": problem.status, "reason": "不在办理中"})
        elif problem.owning_region_id != actor.region_id:
            skipped.append({"id": problem.id, "status": problem.status, "reason": "不由本专班办理"})
        else:
            apply_action(actor=actor, problem_id=problem.id, action="resolve",
                         payload={"resolution": f"【共性问题：{group.title}】{resolution}"})
            resolved.append(problem.id)
    if not resolved:
        raise Conflict("没有可由本专班办结的问题", extra={"skipped": skipped})
    group.resolution, group.resolved_at = resolution, utcnow()
    audit.record(actor, "common_problem.resolved", "common_problem", group.id, {"resolved": resolved})
    return {"common_problem": group, "resolved": resolved, "skipped": skipped}
