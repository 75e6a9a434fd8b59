"""Deadlines act: the scan reminds before due dates and tells who oversees a passed deadline, once each,
across a simulated fortnight of working days, a holiday and a make-up working Saturday."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from services import monitoring
from services.delivery import reminders
from services.models import CalendarDay, DeadlineNotice, Notification, OutboxMessage, EarlyWarning
from tests import factories as mh

L = mh.local  # a wall-clock time in Asia/Shanghai


@pytest.fixture
def fortnight(db_session):
    """A prefecture of its own (no demo data reaches it) with four problems whose deadlines fall in
    4–17 January 2027; Monday 11 January is a holiday and Saturday 9 January a make-up working day."""
    prefecture, (county,) = mh.fresh_prefecture("629700", counties=1)
    people = {"county": mh.user("t_rem_county", "coordinator", county),
              "prefecture": mh.user("t_rem_pref", "coordinator", prefecture),
              "supervisor": mh.user("t_rem_sup", "coordinator", prefecture.parent)}  # 督办 from the province
    db_session.add_all([CalendarDay(day=date(2027, 1, 11), is_workday=False, note="测试假日"),
                        CalendarDay(day=date(2027, 1, 9), is_workday=True, note="测试调休上班")])
    firm = mh.enterprise(county, name="测试提醒企业")
    start = L(2026, 12, 20, 9)
    problems = {
        "a": mh.problem(firm, status="in_progress", created_at=start, accepted_at=start, due_at=L(2027, 1, 8, 17)),
        "b": mh.problem(firm, status="in_progress", created_at=start, accepted_at=start, due_at=L(2027, 1, 12, 10)),
        "c": mh.problem(firm, status="pending", created_at=L(2027, 1, 4, 12), acceptance_due_at=L(2027, 1, 6, 12)),
        "d": mh.problem(firm, status="in_progress", created_at=start, accepted_at=start, due_at=L(2027, 2, 26, 17),
                        supervised=True, supervised_by_id=people["supervisor"].id,
                        supervision_deadline=L(2027, 1, 14, 12)),
        "done": mh.problem(firm, status="resolved", created_at=start, accepted_at=start, due_at=L(2027, 1, 5, 17)),
    }
    db_session.commit()
    return problems, people


def _messages(db_session, problems):
    ids = {p.id: name for name, p in problems.items()}
    rows = db_session.scalars(select(Notification).where(Notification.object_type == "problem",
                                                         Notification.object_id.in_(ids),
                                                         Notification.kind.like("deadline.%")))
    return [(ids[n.object_id], n.kind, n.user_id) for n in rows]


def test_a_fortnight_of_scans_sends_every_deadline_message_once_on_its_day(fortnight, db_session):
    problems, people = fortnight
    first_seen = {}
    for day in range(14):
        for hour in (9, 18):
            now = L(2027, 1, 4 + day, hour)
            monitoring.scan(now=now)
            monitoring.scan(now=now + timedelta(minutes=5))  # the scan runs every few minutes: nothing new
            db_session.expire_all()
            for message in _messages(db_session, problems):
                first_seen.setdefault(message, f"{now:%m-%d %H}")
    county, prefecture, supervisor = (people[k].id for k in ("county", "prefecture", "supervisor"))
    assert first_seen == {
        ("a", "deadline.due_soon", county): "01-06 09",  # Thursday and Friday left
        ("a", "deadline.due_passed", prefecture): "01-08 18",
        ("b", "deadline.due_soon", county): "01-08 09",  # Saturday (make-up day) and Tuesday left; Monday is off
        ("b", "deadline.due_passed", prefecture): "01-12 18",
        ("c", "deadline.acceptance_passed", prefecture): "01-06 18",
        ("d", "deadline.supervision_passed", supervisor): "01-14 18",
    }
    messages = _messages(db_session, problems)
    assert len(messages) == len(set(messages)) == 6  # once each, whatever the number of scans


def test_a_passed_supervision_deadline_opens_a_warning(fortnight, db_session):
    problems, _ = fortnight
    monitoring.scan(now=L(2027, 1, 14, 18))
    db_session.expire_all()
    (warning,) = db_session.scalars(select(EarlyWarning).where(EarlyWarning.problem_id == problems["d"].id,
                                                         EarlyWarning.type == "supervision_overdue"))
    assert warning.state == "open" and warning.severity == "orange"


def test_a_moved_due_date_is_reminded_again(fortnight, db_session):
    problems, _ = fortnight
    monitoring.scan(now=L(2027, 1, 6, 9))
    problem = problems["a"]
    problem.due_at = L(2027, 1, 20, 17)  # an approved extension
    db_session.commit()
    monitoring.scan(now=L(2027, 1, 18, 9))
    db_session.expire_all()
    reminded = [m for m in _messages(db_session, problems) if m[0] == "a" and m[1] == "deadline.due_soon"]
    assert len(reminded) == 2


@pytest.mark.parametrize("lead, first", [(1, "01-07 09"), (3, "01-05 09")])
def test_the_lead_time_is_configuration(fortnight, db_session, lead, first):
    problems, _ = fortnight
    reminders.configure(lead_working_days=lead)
    try:
        seen = None
        for day in range(5):
            now = L(2027, 1, 4 + day, 9)
            monitoring.scan(now=now)
            db_session.expire_all()
            if seen is None and any(m[:2] == ("a", "deadline.due_soon") for m in _messages(db_session, problems)):
                seen = f"{now:%m-%d %H}"
    finally:
        reminders.configure(lead_working_days=2)
    assert seen == first


def test_each_deadline_message_goes_to_the_outbox_once(fortnight, db_session, webhook_app):
    problems, _ = fortnight
    for now in (L(2027, 1, 8, 18), L(2027, 1, 8, 18, 30), L(2027, 1, 9, 9)):
        monitoring.scan(now=now)
    db_session.expire_all()
    rows = list(db_session.scalars(select(OutboxMessage).where(OutboxMessage.object_id == problems["a"].id,
                                                               OutboxMessage.kind == "deadline.due_passed")))
    assert [r.recipient for r in rows] == ["t_rem_pref"]
    assert "测试提醒企业" in rows[0].text and problems["a"].number in rows[0].text and "01月08日 17:00" in rows[0].text


def test_the_scan_records_what_it_sent(fortnight, db_session):
    problems, _ = fortnight
    result = monitoring.scan(now=L(2027, 1, 6, 18))
    assert result.reminders.get("deadline.acceptance_passed", 0) >= 1
    db_session.expire_all()
    notice = db_session.scalar(select(DeadlineNotice).where(DeadlineNotice.subject_id == problems["c"].id))
    assert notice.kind == "problem_acceptance" and notice.phase == "passed" and notice.recipients == 1


def test_another_module_registers_its_own_deadline_kind(fortnight, db_session):
    problems, people = fortnight
    calls = []

    def find(now):
        calls.append(now)
        yield reminders.Due(problems["c"].id, L(2027, 1, 5, 9), (people["county"].id,), "任务签收超时：测试")

    kind = reminders.register(reminders.DeadlineKind("test_task_sign", "passed", "deadline.due_passed", find))
    try:
        monitoring.scan(now=L(2027, 1, 5, 10))
        monitoring.scan(now=L(2027, 1, 5, 11))
    finally:
        reminders.REGISTRY.remove(kind)
    db_session.expire_all()
    told = db_session.scalars(select(Notification).where(Notification.title == "任务签收超时：测试")).all()
    assert len(calls) == 2 and len(told) == 1
