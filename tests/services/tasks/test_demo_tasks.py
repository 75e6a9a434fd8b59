"""The demo's departments at work: each demo department account has tasks in every task status."""

import pytest
from sqlalchemy import select

from services.models import Department, Task, User
from services.models.tasks import TASK_STATUSES


@pytest.mark.parametrize("username", ["dept_lxx_gxj", "dept_lx_jrb"])
def test_each_demo_department_has_tasks_in_every_status(db_session, username):
    department = db_session.scalar(select(User.department_id).where(User.username == username))
    statuses = set(db_session.scalars(select(Task.status).where(Task.department_id == department)))
    assert statuses == set(TASK_STATUSES)


def test_the_demo_department_accounts_are_bound_to_their_departments(db_session):
    rows = dict(db_session.execute(select(User.username, Department.name).join(Department, Department.id == User.department_id)
                                   .where(User.role == "department")).all())
    assert {k: rows[k] for k in ("dept_lxx_gxj", "dept_lx_jrb")} == {
        "dept_lxx_gxj": "临夏县工业和信息化局", "dept_lx_jrb": "临夏州政府金融办"}


def test_a_demo_department_signs_in_and_finds_its_inbox(login_as):
    body = login_as("dept_lx_jrb").get("tasks?count=true").get_json()
    assert body["total"] >= 7 and all(t["department_name"] == "临夏州政府金融办" for t in body["items"])
    assert body["counts"]["dispatched"] >= 1
