"""Task warnings: not signed in time (yellow), overdue (orange; twice its limit, red); they close themselves."""

from datetime import timedelta

from sqlalchemy import select

from services import monitoring
from services.db import db, utcnow
from services.models import Notification, Task, User, EarlyWarning
from services.tasks.commands import take_action
from tests.services.tasks.helpers import actor, dispatched_problem


def _live(app, task_id: int) -> dict[str, str]:
    with app.app_context():
        rows = db.session.scalars(select(EarlyWarning).where(EarlyWarning.subject == f"task:{task_id}",
                                                        EarlyWarning.state != "closed"))
        found = {w.type: w.severity for w in rows}
        db.session.remove()
        return found


def _scan(app, now):
    with app.app_context():
        monitoring.scan(now=now)
        db.session.remove()


def test_a_task_not_signed_by_its_deadline_opens_a_yellow_warning_that_signing_closes(app):
    start = utcnow()
    _, (task_id,) = dispatched_problem(app, assists=(), now=start)
    _scan(app, start + timedelta(hours=2))
    assert _live(app, task_id) == {}
    late = start + timedelta(days=5)
    _scan(app, late)
    assert _live(app, task_id) == {"task_unsigned": "yellow"}
    with app.app_context():
        take_action(actor=actor("dept_lxx_gxj"), task_id=task_id, action="sign", now=late)
        db.session.remove()
    assert _live(app, task_id) == {}


def test_the_department_is_told_of_its_late_task(app):
    start = utcnow()
    _, (task_id,) = dispatched_problem(app, assists=(), now=start)
    _scan(app, start + timedelta(days=5))
    with app.app_context():
        user = db.session.scalar(select(User.id).where(User.username == "dept_lxx_gxj"))
        kinds = set(db.session.scalars(select(Notification.kind).where(Notification.user_id == user)))
        db.session.remove()
    assert "warning.opened" in kinds


def test_an_overdue_task_is_orange_then_red_past_twice_its_limit_and_a_report_ends_it(app):
    start = utcnow()
    _, (task_id,) = dispatched_problem(app, assists=(), now=start, due_at=start + timedelta(days=4))
    with app.app_context():
        take_action(actor=actor("dept_lxx_gxj"), task_id=task_id, action="sign", now=start + timedelta(hours=1))
        db.session.remove()
    _scan(app, start + timedelta(days=5))
    assert _live(app, task_id) == {"task_overdue": "orange"}
    _scan(app, start + timedelta(days=9))
    assert _live(app, task_id) == {"task_overdue": "red"}
    with app.app_context():
        take_action(actor=actor("dept_lxx_gxj"), task_id=task_id, action="report", payload={"result": "已办结"},
            now=start + timedelta(days=9))
        db.session.remove()
    assert _live(app, task_id) == {}


def test_a_recalled_task_closes_its_warnings_and_the_scan_is_idempotent(app):
    start = utcnow()
    _, (task_id,) = dispatched_problem(app, assists=(), now=start)
    late = start + timedelta(days=5)
    _scan(app, late)
    _scan(app, late)
    with app.app_context():
        assert db.session.scalar(select(EarlyWarning.id).where(EarlyWarning.subject == f"task:{task_id}")
                                 .order_by(EarlyWarning.id.desc()).offset(1)) is None  # one warning, not two
        take_action(actor=actor("lxx_coord"), task_id=task_id, action="recall", payload={"reason": "改派"}, now=late)
        assert db.session.get(Task, task_id).status == "recalled"
        db.session.remove()
    assert _live(app, task_id) == {}
