"""The effect of each workflow action on a problem (EFFECTS): its fields, event data and whom it tells.

The table in workflow.py decides whether an action may run and the status it lands on (apply_action sets
it); only effects whose rule lists several target statuses (feedback, supply_info) choose one themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from services import notifications
from services.actors import Actor, enterprise_clause
from services.db import db
from services.errors import Forbidden, NotFound, ValidationFailed
from services.models import Department, Problem, Region
from services.problems import workflow
from services.problems.deadlines import add_working_days, working_days_between
from services.problems.limits import handling_days, limits
from services.problems.workflow import LEVEL_NAMES
from services.problems.relations import region_of
from services.roles import Role


@dataclass
class Outcome:
    comment: str | None = None
    internal: bool = False
    data: dict = field(default_factory=dict)
    # (user ids, kind, title) to notify
    notify: list[tuple[list[int], str, str]] = field(default_factory=list)


def _require(payload: dict, name: str, message: str) -> str:
    value = payload.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationFailed(message, field=name)
    return value


ACTOR_NAMES = {Role.ENTERPRISE: "企业", Role.LIAISON: "联络员", Role.COORDINATOR: "专班", Role.VIEWER: "领导",
               Role.ADMIN: "管理员"}


def who_acted(actor: Actor) -> str:
    """Who acted, as a message names them: 企业 / 联络员 / 专班."""
    return ACTOR_NAMES.get(actor.role, "系统")


def _enterprise_side(problem: Problem) -> list[int]:
    ids = notifications.enterprise_users(problem.enterprise_id) + notifications.enterprise_liaisons(problem.enterprise_id)
    return ids + ([problem.filer_id] if problem.filer_id else [])


def _arrive(problem: Problem, region: Region, now: datetime) -> None:
    problem.owning_region_id = region.id
    problem.level = region.level
    problem.arrived_at = now
    problem.acceptance_due_at = add_working_days(now, limits.acceptance_days)
    problem.accepted_at = None
    problem.due_at = None
    problem.extension_due_at = None
    problem.extension_reason = None


def _accept(problem, actor, payload, now) -> Outcome:
    problem.accepted_at = now
    problem.due_at = add_working_days(now, handling_days(problem.level, problem.urgency))
    return Outcome(comment=payload.get("comment"), data={"due_at": problem.due_at.isoformat()})


def _reject(problem, actor, payload, now) -> Outcome:
    reason = _require(payload, "reason", "请填写不予受理的理由")
    duplicate_of = payload.get("duplicate_of")
    if duplicate_of is not None:
        original = db.session.scalar(select(Problem.id).where(Problem.id == duplicate_of,
                                                              enterprise_clause(actor, Problem.enterprise_id)))
        if original is None or original == problem.id:
            raise NotFound("重复的问题不存在", errors={"duplicate_of": ["问题不存在"]})
        problem.duplicate_of_id = original
    referred_to = (payload.get("referred_to") or "").strip() or None
    problem.rejected_at = now
    problem.reject_reason = reason
    problem.referred_to = referred_to
    return Outcome(comment=reason, data={"duplicate_of": duplicate_of, "referred_to": referred_to},
                   notify=[(_enterprise_side(problem), "problem.rejected", "问题不予受理")])


def _escalate(problem, actor, payload, now) -> Outcome:
    parent = region_of(region_of(problem.owning_region_id).parent_id)
    _arrive(problem, parent, now)
    return Outcome(comment=payload.get("reason"),
                   notify=[(notifications.task_force_users(parent.id), "problem.arrived",
                            f"上报问题待受理：{problem.title}")])


def _reclassify_scope(problem: Problem, scope: str) -> str:
    if scope == problem.scope:
        raise ValidationFailed("新的范围与当前相同", field="scope")
    old = problem.scope
    problem.scope = scope
    return old


def _return(problem, actor, payload, now) -> Outcome:
    reason = _require(payload, "reason", "请填写退回理由")
    scope = _require(payload, "scope", "请指定问题范围")
    below = workflow.LEVELS[workflow.rank(problem.level) - 1]
    if workflow.rank(below) < workflow.rank(workflow.required_level(scope)):
        raise ValidationFailed(f"该范围的问题应由{LEVEL_NAMES[workflow.required_level(scope)]}办理，不能退回到{LEVEL_NAMES[below]}",
                               field="scope")
    old_scope = problem.scope
    problem.scope = scope
    # The receiving task force: the holder's child region on the way down to the enterprise's county.
    path = [int(x) for x in region_of(problem.enterprise.region_id).path.strip("/").split("/")]
    child = region_of(path[path.index(problem.owning_region_id) + 1])
    _arrive(problem, child, now)
    return Outcome(comment=reason, data={"from_scope": old_scope, "to_scope": scope},
                   notify=[(notifications.task_force_users(child.id), "problem.arrived",
                            f"退回问题待受理：{problem.title}")])


def _reclassify(problem, actor, payload, now) -> Outcome:
    reason = _require(payload, "reason", "请填写调整理由")
    old = _reclassify_scope(problem, _require(payload, "scope", "请指定问题范围"))
    return Outcome(comment=reason, data={"from_scope": old, "to_scope": problem.scope})


def _assign(problem, actor, payload, now) -> Outcome:
    department = db.session.get(Department, payload.get("department_id") or 0)
    if department is None:
        raise NotFound("部门不存在", errors={"department_id": ["部门不存在"]})
    problem.department_id = department.id
    return Outcome(comment=department.name, data={"department_id": department.id})


def _resolve(problem, actor, payload, now) -> Outcome:
    problem.resolution = _require(payload, "resolution", "请填写办理措施和结果")
    problem.resolved_at = now
    return Outcome(comment=problem.resolution,
                   notify=[(_enterprise_side(problem), "problem.resolved", f"问题已办结，请评价：{problem.title}")])


def _feedback(problem, actor, payload, now) -> Outcome:
    rating = _require(payload, "rating", "请选择评价")
    comment = payload.get("comment")
    problem.satisfaction = rating
    data = {"rating": rating, "method": payload.get("method") or ("self" if actor.role == Role.ENTERPRISE else "phone")}
    if rating == "unsatisfied":
        if not comment or not comment.strip():
            raise ValidationFailed("不满意时请说明原因", field="comment")
        problem.status = "in_progress"
        problem.reopen_count += 1
        return Outcome(comment=comment, data=data,
                       notify=[(notifications.task_force_users(problem.owning_region_id), "problem.reopened",
                                ("企业不满意，问题重新办理" if actor.role == Role.ENTERPRISE
                                 else f"{who_acted(actor)}回访：企业不满意，问题重新办理") + f"：{problem.title}")])
    problem.status = "closed"
    problem.closed_at = now
    return Outcome(comment=comment, data=data)


def _close(problem, actor, payload, now) -> Outcome:
    note = _require(payload, "note", "请填写销号说明")
    problem.closed_at = now
    problem.closed_without_feedback = True
    return Outcome(comment=note, data={"without_feedback": True})


def _withdraw(problem, actor, payload, now) -> Outcome:
    problem.withdrawn_at = now
    return Outcome(comment=payload.get("reason"),
                   notify=[(notifications.task_force_users(problem.owning_region_id), "problem.withdrawn",
                            f"{who_acted(actor)}已撤回问题：{problem.title}")])


def _request_info(problem, actor, payload, now) -> Outcome:
    question = _require(payload, "question", "请填写需要补充的内容")
    problem.status_before_info = problem.status
    problem.info_requested_at = now
    return Outcome(comment=question,
                   notify=[(_enterprise_side(problem), "problem.info_requested", f"问题需要补充材料：{problem.title}")])


def _supply_info(problem, actor, payload, now) -> Outcome:
    answer = _require(payload, "answer", "请填写补充内容")
    paused = working_days_between(problem.info_requested_at, now) if problem.info_requested_at else 0
    if paused:  # the clock stood still while the task force waited
        if problem.due_at is not None:
            problem.due_at = add_working_days(problem.due_at, paused)
        if problem.acceptance_due_at is not None and problem.status_before_info == "pending":
            problem.acceptance_due_at = add_working_days(problem.acceptance_due_at, paused)
    problem.status = problem.status_before_info or "pending"
    problem.status_before_info = None
    problem.info_requested_at = None
    return Outcome(comment=answer, data={"paused_working_days": paused},
                   notify=[(notifications.task_force_users(problem.owning_region_id), "problem.info_supplied",
                            f"{who_acted(actor)}已补充材料：{problem.title}")])


def _deciders(problem: Problem, requester: int | None) -> list[int]:
    owner = region_of(problem.owning_region_id)
    if owner.parent_id is not None:
        return notifications.task_force_users(owner.parent_id)
    return [u for u in notifications.task_force_users(owner.id) if u != requester]


def _request_extension(problem, actor, payload, now) -> Outcome:
    reason = _require(payload, "reason", "请填写延期理由")
    due_at = _require(payload, "due_at", "请填写申请的办理期限")
    if problem.due_at is not None and due_at <= problem.due_at:
        raise ValidationFailed("申请的期限须晚于当前期限", field="due_at")
    problem.extension_due_at = due_at
    problem.extension_reason = reason
    return Outcome(comment=reason, data={"due_at": due_at.isoformat()},
                   notify=[(_deciders(problem, actor.user_id), "problem.extension_requested",
                            f"延期申请待审批：{problem.title}")])


def _decide_extension(problem, actor, payload, now) -> Outcome:
    approve = payload.get("approve")
    if approve is None:
        raise ValidationFailed("请选择是否同意", field="approve")
    requested = problem.extension_due_at
    if approve:
        problem.due_at = requested
    problem.extension_due_at = None
    problem.extension_reason = None
    verdict = "同意" if approve else "不同意"
    return Outcome(comment=payload.get("note"), data={"approve": bool(approve), "due_at": requested.isoformat()},
                   notify=[(notifications.task_force_users(problem.owning_region_id), "problem.extension_decided",
                            f"延期申请{verdict}：{problem.title}")])


def _supervise(problem, actor, payload, now) -> Outcome:
    note = _require(payload, "note", "请填写督办要求")
    deadline = _require(payload, "deadline", "请填写督办期限")
    if deadline <= now:
        raise ValidationFailed("督办期限须晚于当前时间", field="deadline")
    problem.supervised = True
    problem.supervised_by_id = actor.user_id
    problem.supervision_deadline = deadline
    problem.supervision_note = note
    return Outcome(comment=note, data={"deadline": deadline.isoformat()},
                   notify=[(notifications.task_force_users(problem.owning_region_id), "problem.supervised",
                            f"问题被挂牌督办：{problem.title}")])


def _unsupervise(problem, actor, payload, now) -> Outcome:
    problem.supervised = False
    problem.supervision_deadline = None
    return Outcome(comment=payload.get("note"))


def _comment(problem, actor, payload, now) -> Outcome:
    text = _require(payload, "text", "请填写留言内容")
    internal = bool(payload.get("internal"))
    if internal and actor.role == Role.ENTERPRISE:
        raise Forbidden("企业用户不能发布内部意见")
    notify = []
    if actor.role in (Role.ENTERPRISE, Role.LIAISON):
        notify.append((notifications.task_force_users(problem.owning_region_id), "problem.commented",
                       f"{who_acted(actor)}留言：{problem.title}"))
    elif not internal:
        notify.append((notifications.enterprise_users(problem.enterprise_id), "problem.commented",
                       f"{who_acted(actor)}留言：{problem.title}"))
    return Outcome(comment=text, internal=internal, notify=notify)


UPDATABLE = ("title", "description", "category", "urgency")


def _update(problem, actor, payload, now) -> Outcome:
    changed = {}
    for key in UPDATABLE:
        if key in payload and payload[key] != getattr(problem, key):
            changed[key] = payload[key]
            setattr(problem, key, payload[key])
    if not changed:
        raise ValidationFailed("没有需要修改的内容")
    return Outcome(data={"fields": sorted(changed)})


EFFECTS = {
    "accept": _accept, "reject": _reject, "escalate": _escalate, "return": _return, "reclassify": _reclassify,
    "assign": _assign, "resolve": _resolve, "feedback": _feedback, "close": _close, "withdraw": _withdraw,
    "request_info": _request_info, "supply_info": _supply_info, "request_extension": _request_extension,
    "decide_extension": _decide_extension, "supervise": _supervise, "unsupervise": _unsupervise,
    "comment": _comment, "update": _update,
}
