"""Warning rules, the scan's idempotence, escalation, self-closing and the writers' hooks."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from services import monitoring
from services.db import utcnow
from services.models import Notification, User, EarlyWarning
from tests import factories


@pytest.fixture
def county(db_session):
    _, (county,) = factories.fresh_prefecture("629500", counties=1)
    factories.user("t_rule_coord", "coordinator", county)
    db_session.commit()
    return county


def _live(db_session, **where):
    stmt = select(EarlyWarning).where(EarlyWarning.state != "closed")
    for key, value in where.items():
        stmt = stmt.where(getattr(EarlyWarning, key) == value)
    return list(db_session.scalars(stmt))


def _scan(db_session, now=None):
    result = monitoring.scan(now=now)
    db_session.expire_all()
    return result


@pytest.mark.parametrize(("old", "new", "severity"), [(100, 79, "yellow"), (100, 80, "yellow"), (100, 60, "red"),
                                                      (100, 81, None), (100, 120, None)])
def test_an_employment_drop_between_observations_warns_by_its_size(db_session, county, old, new, severity):
    firm = factories.enterprise(county, employees=new)
    factories.change(firm, "employees", str(old), str(new), utcnow())
    db_session.commit()
    _scan(db_session)
    found = _live(db_session, type="employment_drop", enterprise_id=firm.id)
    assert [w.severity for w in found] == ([severity] if severity else [])


def test_an_employment_drop_between_consecutive_status_reports_warns(db_session, county):
    firm = factories.enterprise(county)
    factories.report(firm, "2026-08", 100)
    factories.report(firm, "2026-09", 100)
    factories.report(firm, "2026-10", 55)
    db_session.commit()
    _scan(db_session)
    (warning,) = _live(db_session, type="employment_drop", enterprise_id=firm.id)
    assert warning.severity == "red" and warning.detail["to_period"] == "2026-10"


def test_the_employment_warning_closes_when_headcount_recovers(db_session, county):
    firm = factories.enterprise(county, employees=50)
    factories.change(firm, "employees", "100", "50", utcnow() - timedelta(days=2))
    db_session.commit()
    _scan(db_session)
    (warning,) = _live(db_session, type="employment_drop", enterprise_id=firm.id)
    factories.change(firm, "employees", "50", "95", utcnow())
    db_session.commit()
    _scan(db_session)
    assert db_session.get(EarlyWarning, warning.id).state == "closed"


def test_running_the_scan_twice_changes_nothing(db_session, county):
    firm = factories.enterprise(county, status="halted", tags=["key"])
    factories.problem(firm, status="in_progress", created_at=utcnow() - timedelta(days=20),
               accepted_at=utcnow() - timedelta(days=19), due_at=utcnow() - timedelta(days=1), reopen_count=2)
    db_session.commit()
    first = _scan(db_session)
    before = [(w.id, w.severity, w.state, w.version) for w in db_session.scalars(select(EarlyWarning).order_by(EarlyWarning.id))]
    second = _scan(db_session)
    after = [(w.id, w.severity, w.state, w.version) for w in db_session.scalars(select(EarlyWarning).order_by(EarlyWarning.id))]
    assert first.opened and not second.changed
    assert before == after


def test_a_halted_enterprise_gets_an_orange_warning_that_closes_on_resumption(db_session, county):
    firm = factories.enterprise(county, status="halted")
    db_session.commit()
    _scan(db_session)
    (warning,) = _live(db_session, type="halted", enterprise_id=firm.id)
    assert warning.severity == "orange" and warning.region_id == county.id
    firm.operating_status = "resumed"
    db_session.commit()
    _scan(db_session)
    assert db_session.get(EarlyWarning, warning.id).state == "closed"


def test_a_key_enterprise_unvisited_for_thirty_days_warns(db_session, county):
    liaison = factories.user("t_rule_liaison", "liaison", county)
    stale = factories.enterprise(county, tags=["key"])
    fresh = factories.enterprise(county, tags=["key"])
    ordinary = factories.enterprise(county)
    factories.visit(stale, liaison, utcnow() - timedelta(days=31))
    factories.visit(fresh, liaison, utcnow() - timedelta(days=29))
    db_session.commit()
    _scan(db_session)
    warned = {w.enterprise_id for w in _live(db_session, type="no_visit")}
    assert stale.id in warned and fresh.id not in warned and ordinary.id not in warned


def test_a_problem_pending_past_its_acceptance_deadline_warns_until_accepted(db_session, county):
    firm = factories.enterprise(county)
    item = factories.problem(firm, status="pending", created_at=utcnow() - timedelta(days=5),
                      acceptance_due_at=utcnow() - timedelta(hours=1))
    db_session.commit()
    _scan(db_session)
    (warning,) = _live(db_session, type="acceptance_overdue", problem_id=item.id)
    assert warning.severity == "yellow"
    item.status, item.accepted_at, item.due_at = "in_progress", utcnow(), utcnow() + timedelta(days=10)
    monitoring.on_problem_changed(item)
    db_session.commit()
    db_session.expire_all()
    assert db_session.get(EarlyWarning, warning.id).state == "closed"


def test_an_overdue_problem_is_orange_and_escalates_to_red_past_twice_its_limit(db_session, county):
    firm = factories.enterprise(county)
    now = utcnow()
    item = factories.problem(firm, status="in_progress", created_at=now - timedelta(days=11),
                      accepted_at=now - timedelta(days=10), due_at=now - timedelta(days=1))
    db_session.commit()
    _scan(db_session, now)
    (warning,) = _live(db_session, type="overdue", problem_id=item.id)
    assert warning.severity == "orange"
    # The limit is 9 days; twice the limit after acceptance is 8 days after the due time.
    _scan(db_session, now + timedelta(days=8, hours=1))
    (escalated,) = _live(db_session, type="overdue", problem_id=item.id)
    assert escalated.id == warning.id and escalated.severity == "red"


def test_a_closed_problem_closes_its_warnings(db_session, county):
    firm = factories.enterprise(county)
    item = factories.problem(firm, status="in_progress", created_at=utcnow() - timedelta(days=11),
                      accepted_at=utcnow() - timedelta(days=10), due_at=utcnow() - timedelta(days=1), reopen_count=2)
    db_session.commit()
    _scan(db_session)
    assert {w.type for w in _live(db_session, problem_id=item.id)} == {"overdue", "reopened"}
    item.status, item.closed_at = "closed", utcnow()
    monitoring.on_problem_changed(item)
    db_session.commit()
    assert _live(db_session, problem_id=item.id) == []


def test_a_problem_reopened_twice_warns_orange(db_session, county):
    firm = factories.enterprise(county)
    once = factories.problem(firm, status="in_progress", created_at=utcnow(), reopen_count=1)
    twice = factories.problem(firm, status="in_progress", created_at=utcnow(), reopen_count=2)
    db_session.commit()
    _scan(db_session)
    assert [w.problem_id for w in _live(db_session, type="reopened") if w.problem_id in (once.id, twice.id)] == [
        twice.id]


def test_opening_a_warning_notifies_the_regions_task_force(db_session, county):
    firm = factories.enterprise(county, status="halted")
    db_session.commit()
    _scan(db_session)
    warning = db_session.scalar(select(EarlyWarning).where(EarlyWarning.enterprise_id == firm.id))
    inbox = db_session.scalars(select(Notification).where(Notification.object_type == "warning",
                                                          Notification.object_id == warning.id)).all()
    owner = db_session.scalar(select(User.id).where(User.username == "t_rule_coord"))
    assert [n.user_id for n in inbox] == [owner]


def test_the_enterprise_hook_runs_on_an_enterprise_edit(login_as, demo, db_session):
    client = login_as("lxx_coord")
    firm_id = demo.enterprise_id("临夏县清源")
    version = client.get(f"enterprises/{firm_id}").headers["ETag"]
    response = client.patch(f"enterprises/{firm_id}", json={"employees": 70, "operating_status": "halted"},
                            headers={"If-Match": version})
    assert response.status_code == 200
    types = {(w.type, w.severity) for w in _live(db_session, enterprise_id=firm_id)}
    assert {("employment_drop", "red"), ("halted", "orange")} <= types


def test_a_hook_never_commits_the_writers_transaction(db_session, county):
    firm = factories.enterprise(county)
    db_session.commit()
    firm.operating_status = "halted"
    assert monitoring.on_enterprise_observed(firm).opened
    db_session.rollback()
    assert _live(db_session, enterprise_id=firm.id) == []


def test_a_warning_opened_concurrently_is_left_to_the_first_writer(db_session, county):
    firm = factories.enterprise(county, status="halted")
    db_session.add(EarlyWarning(type="halted", severity="orange", state="open", subject=f"enterprise:{firm.id}",
                           enterprise_id=firm.id, region_id=county.id))
    db_session.flush()
    finding = monitoring.Finding("halted", "orange", firm.id, county.id)
    assert monitoring._open(finding, utcnow()) is None
    db_session.commit()
    assert len(_live(db_session, enterprise_id=firm.id)) == 1
