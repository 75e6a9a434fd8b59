"""Use cases that change tasks: dispatch (the problem's `assign`), the department's and the task force's task
actions, and the steps the problem workflow takes on its tasks (supersede at resolve, reopen at feedback)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from services import audit, monitoring, notifications
from services.actors import Actor
from services.db import db, unit_of_work, utcnow
from services.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed, VersionMismatch
from services.models import Department, Problem, ProblemEvent, Region, Task, User
from services.models.tasks import ASSIST, LEAD, LIVE_TASK_STATUSES, OPEN_TASK_STATUSES
from services.problems.deadlines import add_working_days
from services.problems.limits import handling_days
from services.roles import Role
from services.tasks import queries, workflow
from services.tasks.limits import limits
from services.tasks.queries import roles_for, task_clause

ROLE_NAMES = {"lead": "主办", "assist": "协办"}


def department_users(department_id: int) -> list[int]:
    """The active users of one department (承办单位用户)."""
    return list(db.session.scalars(select(User.id).where(
        User.role == Role.DEPARTMENT, User.department_id == department_id, User.is_active.is_(True))))


def live_lead(problem: Problem) -> Task | None:
    """The lead task the problem waits on: the newest lead task not refused, recalled or superseded."""
    leads = [t for t in problem.tasks if t.role == LEAD and t.status in LIVE_TASK_STATUSES]
    return leads[-1] if leads else None


# --- dispatch (派单), inside the problem's `assign` ---------------------------------------------------

def _department_in_subtree(department_id: int, holder: Region, field: str) -> Department:
    department = db.session.get(Department, department_id)
    if department is None:
        raise NotFound("部门不存在", errors={field: ["部门不存在"]})
    region = db.session.get(Region, department.region_id)
    if not region.path.startswith(holder.path):
        raise ValidationFailed(f"只能交办本级或下级区划的部门：{department.name}不在{holder.name}辖区内",
                               errors={field: [f"{department.name}不在{holder.name}辖区内"]})
    return department


def default_due(problem: Problem, now: datetime) -> datetime:
    """The problem's remaining limit: its due date, or (not yet accepted) a full limit from now."""
    if problem.due_at is not None and problem.due_at > now:
        return problem.due_at
    return add_working_days(now, handling_days(problem.level, problem.urgency))


def dispatch(problem: Problem, actor: Actor, payload: dict, now: datetime) -> dict:
    """Create the lead task and one assisting task per department; returns the event's comment, data and
    notifications (user ids, kind, title). The caller (the problem's `assign`) holds the problem's lock.
    Raises ValidationFailed (departments outside the holder's subtree, dates), InvalidTransition (a live lead)."""
    holder = db.session.get(Region, problem.owning_region_id)
    lead_id = payload.get("department_id")
    if lead_id is None:
        raise ValidationFailed("请选择主办单位", field="department_id")
    assist_ids = list(dict.fromkeys(payload.get("assist_department_ids") or []))
    if lead_id in assist_ids:
        raise ValidationFailed("主办单位不能同时是协办单位", field="assist_department_ids")
    lead = _department_in_subtree(lead_id, holder, "department_id")
    assists = [_department_in_subtree(d, holder, "assist_department_ids") for d in assist_ids]
    if live_lead(problem) is not None:
        raise InvalidTransition("该问题已有在办的主办任务，请先撤回再重新交办",
                                extra={"current_status": problem.status, "allowed_actions": []})
    busy = {t.department_id for t in problem.tasks if t.status in LIVE_TASK_STATUSES}
    for department in assists:
        if department.id in busy:
            raise ValidationFailed(f"{department.name}已有该问题的在办任务", field="assist_department_ids")
    due_at = payload.get("due_at") or default_due(problem, now)
    if due_at <= now:
        raise ValidationFailed("办理期限须晚于当前时间", field="due_at")
    instructions = (payload.get("instructions") or "").strip()
    sign_due_at = add_working_days(now, limits.sign_days)
    created = []
    for role, department in [(LEAD, lead), *[(ASSIST, d) for d in assists]]:
        task = Task(problem_id=problem.id, department_id=department.id, region_id=holder.id, role=role,
                    status="dispatched", instructions=instructions, dispatched_by_id=actor.user_id,
                    dispatched_at=now, sign_due_at=sign_due_at, due_at=due_at, created_at=now, updated_at=now)
        problem.tasks.append(task)
        created.append((task, department))
    problem.department = lead  # the relationship too: the answer is built from what is loaded
    db.session.flush()
    notify = [(department_users(d.id), "task.dispatched",
               f"新{ROLE_NAMES[t.role]}任务待签收：{problem.title}") for t, d in created]
    for task, _ in created:
        audit.record(actor, "task.dispatched", "task", task.id,
                     {"problem_id": problem.id, "department_id": task.department_id, "role": task.role})
    names = "；".join(f"{ROLE_NAMES[t.role]}：{d.name}" for t, d in created)
    return {"comment": names + (f"。{instructions}" if instructions else ""),
            "data": {"department_id": lead.id, "assist_department_ids": [d.id for d in assists],
                     "task_ids": [t.id for t, _ in created], "due_at": due_at.isoformat(),
                     "sign_due_at": sign_due_at.isoformat()},
            "notify": notify, "tasks": [t for t, _ in created]}


# --- the problem workflow's own steps on its tasks -------------------------------------------------

def _system_step(task: Task, action: str, now: datetime) -> None:
    reason = workflow.blocked_reason(action, task, "in_progress")
    if reason is None:
        task.status = workflow.next_status(action, task.status)
        task.updated_at = now
        if task.status in workflow.FINAL:
            task.ended_at = now


def supersede_open_assists(problem: Problem, now: datetime) -> list[int]:
    """At resolve: the assisting tasks still open are closed as superseded."""
    done = []
    for task in problem.tasks:
        if task.role == ASSIST and task.status in OPEN_TASK_STATUSES:
            _system_step(task, "supersede", now)
            done.append(task.id)
    return done


def reopen_lead(problem: Problem, now: datetime) -> Task | None:
    """At an unsatisfied feedback: the reported lead task goes back to its department (counted)."""
    task = live_lead(problem)
    if task is None or task.status != "reported":
        return None
    _system_step(task, "reopen", now)
    task.reopen_count += 1
    task.sign_due_at = add_working_days(now, limits.sign_days)
    return task


# --- the task actions ------------------------------------------------------------------------------

def _require(payload: dict, name: str, message: str) -> str:
    value = payload.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationFailed(message, field=name)
    return value.strip()


def _load(actor: Actor, task_id: int) -> tuple[Task, Problem]:
    """The task and its problem, row-locked problem first (the order the problem's actions lock in): a racing
    action waits here and then sees the state the winner left."""
    problem_id = db.session.scalar(select(Task.problem_id).where(Task.id == task_id, task_clause(actor)))
    if problem_id is None:
        raise NotFound("任务不存在")
    problem = db.session.scalar(select(Problem).where(Problem.id == problem_id).with_for_update()
                                .execution_options(populate_existing=True))
    task = db.session.scalar(select(Task).where(Task.id == task_id).with_for_update()
                             .execution_options(populate_existing=True))
    return task, problem


def _effect(action: str, task: Task, problem: Problem, payload: dict, now: datetime) -> tuple[str | None, bool]:
    """Apply the action's own fields; (event comment, internal)."""
    if action == "sign":
        if task.signed_at is None:
            task.signed_at = now
            task.signed_on_time = now <= task.sign_due_at
        return None, False
    if action == "refuse":
        task.refusal_reason = _require(payload, "reason", "请填写退单理由")
        task.ended_at = now
        if task.role == LEAD:
            problem.department_id = None
        return task.refusal_reason, True
    if action == "progress":
        return _require(payload, "note", "请填写办理进展"), False
    if action == "report":
        task.result = _require(payload, "result", "请填写办理结果")
        task.reported_at = now
        return task.result, False
    task.recall_reason = _require(payload, "reason", "请填写撤回理由")
    task.ended_at = now
    if task.role == LEAD:
        problem.department_id = None
    return task.recall_reason, True


TITLES = {"sign": "已签收", "refuse": "已退单", "progress": "报送进展", "report": "已办结反馈", "recall": "任务已撤回"}


def apply_task_action(*, actor: Actor, task_id: int, action: str, payload: dict | None = None,
                      expected_version: int | None = None, now: datetime | None = None) -> Task:
    """One task action inside the caller's transaction (no commit): 404 out of sight, 403 not the caller's,
    412 stale, 409 not now. Writes one problem event (action `task_<action>`) and notifies whoever acts next.
    Raises NotFound, Forbidden, VersionMismatch, InvalidTransition (and ValidationFailed from the payload)."""
    if action not in workflow.ACTIONS:
        raise NotFound("未知的操作")
    payload = payload or {}
    now = now or utcnow()
    task, problem = _load(actor, task_id)
    roles = roles_for(actor, task, problem)
    if not workflow.role_may(action, roles):
        raise Forbidden("无权对该任务执行此操作")
    if expected_version is not None and expected_version != task.version:
        raise VersionMismatch()
    reason = workflow.blocked_reason(action, task, problem.status)
    if reason:
        raise InvalidTransition(reason, extra={"current_status": task.status,
                                               "allowed_actions": workflow.allowed_actions(roles, task, problem.status)})
    before = task.status
    with db.session.no_autoflush:
        comment, internal = _effect(action, task, problem, payload, now)
        task.status = workflow.next_status(action, task.status)
        task.updated_at = now
        flag_modified(task, "updated_at")  # progress changes no column but is a new step: new version
        problem.updated_at = now
        flag_modified(problem, "updated_at")  # the problem's ETag sees the new event
    department = task.department
    db.session.add(ProblemEvent(
        problem_id=problem.id, actor_id=actor.user_id, action=f"task_{action}", from_status=problem.status,
        to_status=problem.status, from_level=problem.level, to_level=problem.level, comment=comment,
        internal=internal, at=now,
        data={"task_id": task.id, "department_id": task.department_id, "department_name": department.name,
              "role": task.role, "from": before, "to": task.status}))
    if action == "recall":
        told = department_users(task.department_id)
    else:
        told = notifications.task_force_users(problem.owning_region_id)
    notifications.notify(told, kind=f"task.{action}",
                         title=f"{department.name}{TITLES[action]}（{ROLE_NAMES[task.role]}）：{problem.title}",
                         body=problem.number, object_type="task", object_id=task.id, exclude=actor.user_id)
    monitoring.on_task_changed(task, now=now)
    audit.record(actor, f"task.{action}", "task", task.id,
                 {"problem_id": problem.id, "from": before, "to": task.status, "department_id": task.department_id})
    return task


def take_action(*, actor: Actor, task_id: int, action: str, payload: dict | None = None,
        expected_version: int | None = None, now: datetime | None = None) -> Task:
    """One task action as its own transaction, the task returned as the caller now sees it; raises as
    apply_task_action."""
    with unit_of_work():
        task = apply_task_action(actor=actor, task_id=task_id, action=action, payload=payload,
                                 expected_version=expected_version, now=now)
    return queries.get_task_or_raise(actor=actor, task_id=task.id)
