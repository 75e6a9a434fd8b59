"""Reading tasks: the scope (a department its own tasks, task forces their subtree's), the inbox with its
filters and counts, one task with what the caller may do now, and the export."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.orm import selectinload

from services import audit
from services.actors import Actor, enterprise_clause
from services import sorts
from services.paging import PAGING_KEYS, paged
from services.db import db, unit_of_work, utcnow
from services.errors import Forbidden, NotFound
from services.exports import columns
from services.filters import where_one_of
from services.models import Department, Enterprise, Problem, Task
from services.models.tasks import OPEN_TASK_STATUSES, TASK_STATUSES
from services.roles import Role
from services.tasks import workflow
from services.tasks.workflow import TaskRoles

READERS = (Role.ADMIN, Role.SYSTEM, Role.COORDINATOR, Role.VIEWER, Role.DEPARTMENT)


def task_clause(actor: Actor) -> ColumnElement[bool]:
    """Tasks the actor may see: its department's (department users), its subtree's (task forces, leaders).
    Raises Forbidden (a role that reads no tasks)."""
    if actor.role not in READERS:
        raise Forbidden("任务仅供承办单位和专班查看")
    if actor.is_admin:
        return true()
    if actor.role == Role.DEPARTMENT:
        return Task.department_id == (actor.department_id or 0)
    return Task.problem_id.in_(select(Problem.id).where(enterprise_clause(actor, Problem.enterprise_id)))


def roles_for(actor: Actor, task: Task, problem: Problem) -> TaskRoles:
    """What the caller is to a task: its department, or the task force holding the problem."""
    return TaskRoles(
        department=actor.role == Role.DEPARTMENT and actor.department_id == task.department_id,
        holder=actor.role == Role.COORDINATOR and actor.region_id == problem.owning_region_id)


def is_overdue(task: Task, now: datetime) -> bool:
    """An open task past its due date."""
    return task.status in OPEN_TASK_STATUSES and task.due_at < now


def is_sign_overdue(task: Task, now: datetime) -> bool:
    """A task still waiting to be signed after its sign-in deadline."""
    return task.status in ("dispatched", "reopened") and task.sign_due_at < now


def present(actor: Actor, task: Task, now: datetime | None = None) -> Task:
    """Attach the actions the caller may take now and the task's lateness."""
    now = now or utcnow()
    problem = task.problem
    task.allowed_actions = workflow.allowed_actions(roles_for(actor, task, problem), task, problem.status)
    task.overdue = is_overdue(task, now)
    task.sign_overdue = is_sign_overdue(task, now)
    return task


def _filtered(actor: Actor, *, role: str | list[str] | None, overdue: bool | None, problem: int | None,
              department: int | None, now: datetime) -> Select:
    stmt = select(Task).where(task_clause(actor)).options(
        selectinload(Task.region), selectinload(Task.problem).selectinload(Problem.enterprise))
    stmt = where_one_of(stmt, Task.role, role)
    if overdue:
        stmt = stmt.where(Task.status.in_(OPEN_TASK_STATUSES), Task.due_at < now)
    elif overdue is False:
        stmt = stmt.where(~(Task.status.in_(OPEN_TASK_STATUSES) & (Task.due_at < now)))
    if problem is not None:
        stmt = stmt.where(Task.problem_id == problem)
    if department is not None:
        stmt = stmt.where(Task.department_id == department)
    return stmt


def list_tasks(*, actor: Actor, status: str | list[str] | None = None, role: str | list[str] | None = None,
               overdue: bool | None = None, problem: int | None = None, department: int | None = None,
               now: datetime | None = None) -> Select:
    """The tasks the caller may see, with the list's filters (a query). Raises Forbidden (a role with no tasks)."""
    stmt = _filtered(actor, role=role, overdue=overdue, problem=problem, department=department, now=now or utcnow())
    return where_one_of(stmt, Task.status, status)


def counts(*, actor: Actor, role: str | list[str] | None = None, overdue: bool | None = None,
           problem: int | None = None, department: int | None = None, now: datetime | None = None,
           **_ignored) -> dict[str, int]:
    """The inbox's tabs: how many tasks of each status match the other filters."""
    stmt = _filtered(actor, role=role, overdue=overdue, problem=problem, department=department, now=now or utcnow())
    ids = stmt.with_only_columns(Task.id).subquery()
    rows = db.session.execute(select(Task.status, func.count()).where(Task.id.in_(select(ids.c.id)))
                              .group_by(Task.status)).all()
    found = dict(rows)
    return {status: int(found.get(status, 0)) for status in TASK_STATUSES}


def present_page(actor: Actor, page: dict) -> dict:
    """present() every task of a page."""
    now = utcnow()
    for task in page["items"]:
        present(actor, task, now)
    return page


def get_task_or_raise(*, actor: Actor, task_id: int) -> Task:
    """One task as the caller sees it. Raises NotFound (out of sight), Forbidden (a role with no tasks)."""
    task = db.session.scalar(select(Task).where(Task.id == task_id, task_clause(actor)))
    if task is None:
        raise NotFound("任务不存在")
    return present(actor, task)


def department_problem_ids(actor: Actor) -> Select:
    """The problems a department user may read: those dispatched to its department."""
    return select(Task.problem_id).where(Task.department_id == (actor.department_id or 0))


def signed_enterprise_ids(actor: Actor) -> Select:
    """Enterprises whose contact phones a department user sees in full: a task of its department on one of
    their problems is signed (or done)."""
    return (select(Problem.enterprise_id).join(Task, Task.problem_id == Problem.id)
            .where(Task.department_id == (actor.department_id or 0), Task.signed_at.is_not(None)))


# --- export ------------------------------------------------------------------------------------------

EXPORT_COLUMNS = columns(
    "台账编号", "问题标题", "企业名称", "问题状态", "承办单位", "承办方式", "任务状态", "交办要求",
    ("交办时间", "datetime"), ("签收期限", "datetime"), ("签收时间", "datetime"), ("办理期限", "datetime"),
    ("反馈时间", "datetime"), "办理结果", "退单理由", "撤回理由", ("重办次数", "int"), "是否超期", "签收超时",
)


def export_rows(*, actor: Actor, labels: dict, fmt: str, now: datetime | None = None, **filters) -> Iterator[list]:
    """Rows of the task export (same filters and scope as the list), streamed; audited once. Who may export
    is decided here, before the first byte is sent."""
    now = now or utcnow()
    ids = list_tasks(actor=actor, now=now, **filters).with_only_columns(Task.id).order_by(None).subquery()
    with unit_of_work():
        audit.record(actor, "task.exported", "task", None, {"format": fmt, "filters": filters})
    return _export_stream(ids, labels, now)


def _export_stream(ids, labels: dict, now: datetime) -> Iterator[list]:
    stmt = (select(Task, Problem, Enterprise.name, Department.name)
            .join(Problem, Problem.id == Task.problem_id).join(Enterprise, Enterprise.id == Problem.enterprise_id)
            .join(Department, Department.id == Task.department_id)
            .where(Task.id.in_(select(ids.c.id))).order_by(Task.due_at, Task.id).execution_options(yield_per=500))
    for task, problem, enterprise, department in db.session.execute(stmt):
        late = (task.reported_at or now) > task.due_at if task.status not in workflow.FINAL else False
        yield [problem.number, problem.title, enterprise, labels["problem_status"][problem.status], department,
               labels["task_role"][task.role], labels["task_status"][task.status], task.instructions,
               task.dispatched_at, task.sign_due_at, task.signed_at, task.due_at, task.reported_at,
               task.result or "", task.refusal_reason or "", task.recall_reason or "", task.reopen_count,
               "是" if late else "否", "是" if is_sign_overdue(task, now) else "否"]
    db.session.rollback()


def task_page(*, actor: Actor, **args) -> dict:
    """One page of tasks (an inbox by due date, or a task force's scope) with the tab counts.
    Raises Forbidden (a role that has no tasks), ValidationFailed (bad cursor)."""
    filters = {k: v for k, v in args.items() if k not in PAGING_KEYS}
    page = present_page(actor, paged(list_tasks, sorts.TASKS, actor=actor, **args))
    return {**page, "counts": counts(actor=actor, **filters)}
