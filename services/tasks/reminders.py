"""Departments' deadlines in the scan's reminders (services/delivery/reminders.py): a task's sign-in deadline
and its due date, each message sent once per deadline (a moved deadline is told again).

- 2 working days (the reminders' lead time) before a task's due date: its department and the holding task force;
- a sign-in deadline passed unsigned: the department and the task force that dispatched it;
- a due date passed while the task is still open: the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from services.db import db
from services.delivery.reminders import DeadlineKind, Due, config, department_users, register, task_force
from services.models import Problem, Task
from services.models.tasks import OPEN_TASK_STATUSES
from services.problems.deadlines import working_days_between

UNSIGNED = ("dispatched", "reopened")


def _told(task: Task) -> tuple[int, ...]:
    return tuple(dict.fromkeys(department_users(task.department_id) + task_force(task.region_id)))


def _rows(*conditions) -> Iterable[tuple[Task, str]]:
    return db.session.execute(select(Task, Problem.title).join(Problem, Problem.id == Task.problem_id)
                              .where(*conditions).order_by(Task.id))


def task_due_soon(now: datetime) -> Iterable[Due]:
    """Open tasks whose due date is within the lead time: remind the department and the holding task force."""
    for task, title in _rows(Task.status.in_(OPEN_TASK_STATUSES), Task.due_at > now):
        if working_days_between(now, task.due_at) <= config.lead_working_days:
            yield Due(task.id, task.due_at, _told(task), f"承办任务期限将至：{title}", object_id=task.problem_id)


def task_due_passed(now: datetime) -> Iterable[Due]:
    """Open tasks past their due date: tell the department and the task force that dispatched them."""
    for task, title in _rows(Task.status.in_(OPEN_TASK_STATUSES), Task.due_at <= now):
        yield Due(task.id, task.due_at, _told(task), f"承办任务已超期：{title}", object_id=task.problem_id)


def task_sign_passed(now: datetime) -> Iterable[Due]:
    """Tasks still unsigned after their sign-in deadline: tell the department and the dispatching task force."""
    for task, title in _rows(Task.status.in_(UNSIGNED), Task.sign_due_at <= now):
        yield Due(task.id, task.sign_due_at, _told(task), f"承办任务超时未签收：{title}", object_id=task.problem_id)


register(DeadlineKind("task_due", "before", "deadline.task_due_soon", task_due_soon))
register(DeadlineKind("task_due", "passed", "deadline.task_due_passed", task_due_passed))
register(DeadlineKind("task_sign", "passed", "deadline.task_sign_passed", task_sign_passed))
