"""Departments' deadlines act: a task due soon, a task past due and a task not signed in time are each told
once, to the department and to the task force that dispatched it."""

from datetime import timedelta

from sqlalchemy import func, select

from services.db import db, unit_of_work, utcnow
from services.delivery import reminders
from services.models import Notification, User
from services.tasks.commands import take_action
from tests.services.tasks.helpers import actor, dispatched_problem

DEPARTMENT, HOLDER = "dept_lxx_gxj", "lxx_coord"


def _remind(app, now):
    with app.app_context():
        with unit_of_work():
            reminders.run(now=now)
        db.session.remove()


def _told(app, username: str, kind: str, problem_id: int) -> int:
    """Messages of this kind about this problem (the demo's own late tasks are told too)."""
    with app.app_context():
        user = db.session.scalar(select(User.id).where(User.username == username))
        count = db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == user, Notification.kind == kind, Notification.object_type == "problem",
            Notification.object_id == problem_id))
        db.session.remove()
    return count


def _sign(app, task_id, now):
    with app.app_context():
        take_action(actor=actor(DEPARTMENT), task_id=task_id, action="sign", now=now)
        db.session.remove()


def test_a_task_not_signed_in_time_is_told_once_to_the_department_and_the_dispatcher(app):
    start = utcnow()
    problem_id, (task_id,) = dispatched_problem(app, assists=(), now=start)
    _remind(app, start + timedelta(hours=1))
    assert _told(app, DEPARTMENT, "deadline.task_sign_passed", problem_id) == 0
    _remind(app, start + timedelta(days=5))
    _remind(app, start + timedelta(days=6))
    assert _told(app, DEPARTMENT, "deadline.task_sign_passed", problem_id) == 1
    assert _told(app, HOLDER, "deadline.task_sign_passed", problem_id) == 1


def test_a_signed_task_is_not_told_to_sign(app):
    start = utcnow()
    problem_id, (task_id,) = dispatched_problem(app, assists=(), now=start)
    _sign(app, task_id, start + timedelta(hours=1))
    _remind(app, start + timedelta(days=5))
    assert _told(app, DEPARTMENT, "deadline.task_sign_passed", problem_id) == 0


def test_a_task_due_soon_is_reminded_once_and_again_when_it_passes(app):
    start = utcnow()
    due = start + timedelta(days=20)
    problem_id, (task_id,) = dispatched_problem(app, assists=(), now=start, due_at=due)
    _sign(app, task_id, start + timedelta(hours=1))
    _remind(app, start + timedelta(days=2))  # weeks ahead: nothing yet
    assert _told(app, DEPARTMENT, "deadline.task_due_soon", problem_id) == 0
    _remind(app, due - timedelta(hours=2))
    _remind(app, due - timedelta(hours=1))
    assert _told(app, DEPARTMENT, "deadline.task_due_soon", problem_id) == 1
    assert _told(app, HOLDER, "deadline.task_due_soon", problem_id) == 1
    _remind(app, due + timedelta(hours=1))
    _remind(app, due + timedelta(days=1))
    assert _told(app, DEPARTMENT, "deadline.task_due_passed", problem_id) == 1
    assert _told(app, HOLDER, "deadline.task_due_passed", problem_id) == 1


def test_a_reported_task_is_not_reminded_of_its_due_date(app):
    start = utcnow()
    due = start + timedelta(days=20)
    problem_id, (task_id,) = dispatched_problem(app, assists=(), now=start, due_at=due)
    _sign(app, task_id, start + timedelta(hours=1))
    with app.app_context():
        take_action(actor=actor(DEPARTMENT), task_id=task_id, action="report", payload={"result": "已办结"},
                    now=start + timedelta(days=1))
        db.session.remove()
    _remind(app, due + timedelta(hours=1))
    assert _told(app, DEPARTMENT, "deadline.task_due_passed", problem_id) == 0
