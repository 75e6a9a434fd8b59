"""Shared helpers for the task tests: a problem of 清河源 accepted by 临夏县 and dispatched, through the services."""

from sqlalchemy import select

from services.actors import Actor
from services.db import db, utcnow
from services.models import Department, Enterprise, Task, User
from services.problems.commands import apply_action, file_problem
from services.tasks.commands import dispatch

LEAD = "临夏县工业和信息化局"     # dept_lxx_gxj
ASSIST = "临夏县农业农村局"
PREFECTURE_DEPT = "临夏州政府金融办"  # dept_lx_jrb


def actor(username: str) -> Actor:
    return Actor.for_user(db.session.scalar(select(User).where(User.username == username)))


def department_id(name: str) -> int:
    return db.session.scalar(select(Department.id).where(Department.name == name))


def dispatched_problem(app, *, assists=(ASSIST,), scope="county", now=None, **payload) -> tuple[int, list[int]]:
    """(problem id, [lead task id, assisting task ids…]): filed by liaison_ma, accepted and dispatched by the
    county task force, committed."""
    now = now or utcnow()
    with app.app_context():
        coordinator = actor("lxx_coord")
        enterprise = db.session.scalar(select(Enterprise.id).where(Enterprise.name.contains("清河源")))
        problem = file_problem(actor=actor("liaison_ma"), enterprise_id=enterprise, category="production",
                               title="设备改造资金缺口", description="技改项目需协调专项资金", scope=scope, now=now)
        apply_action(actor=coordinator, problem_id=problem.id, action="accept", now=now)
        result = dispatch(problem, coordinator, {"department_id": department_id(LEAD),
                                                 "assist_department_ids": [department_id(a) for a in assists],
                                                 **payload}, now)
        db.session.commit()
        ids, problem_id = [t.id for t in result["tasks"]], problem.id
        db.session.remove()
        return problem_id, ids


def task_status(app, task_id: int) -> str:
    with app.app_context():
        status = db.session.get(Task, task_id).status
        db.session.remove()
        return status
