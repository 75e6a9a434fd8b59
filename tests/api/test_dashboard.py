"""GET /dashboard: figures by hand from a small dataset in a fresh prefecture, scope, query count."""

import pytest
from sqlalchemy import event, func, select

from services.actors import Actor
from services.dashboard import dashboard
from services.db import db
from services.models import Enterprise, User, EarlyWarning
from tests import factories
from tests.factories import local

DAY = "2026-09-15"


def _dataset(db_session):
    prefecture, (x, y) = factories.fresh_prefecture("629800")
    factories.user("t_dash_coord", "coordinator", prefecture)
    liaison = factories.user("t_dash_liaison", "liaison", x)
    x1 = factories.enterprise(x, tags=["key"], status="resumed")
    x2 = factories.enterprise(x, status="halted")
    y1 = factories.enterprise(y, tags=["key"], status="partial")
    y2 = factories.enterprise(y, tags=["key"], status="resumed")
    factories.problem(x1, status="pending", created_at=local(2026, 9, 15, 10))
    factories.problem(x1, status="in_progress", category="financing", created_at=local(2026, 9, 1),
               accepted_at=local(2026, 9, 15, 9), due_at=local(2026, 9, 10))
    factories.problem(x2, status="closed", created_at=local(2026, 9, 1, 8), accepted_at=local(2026, 9, 2),
               closed_at=local(2026, 9, 15, 20), satisfaction="satisfied")
    factories.problem(x2, status="rejected", category="other", created_at=local(2026, 9, 15, 0, 10),
               rejected_at=local(2026, 9, 15, 8))
    factories.problem(x1, status="resolved", category="supply", level="prefecture", owner=prefecture,
               created_at=local(2026, 9, 5), accepted_at=local(2026, 9, 6), resolved_at=local(2026, 9, 15, 11),
               due_at=local(2026, 9, 30))
    factories.problem(y1, status="closed", category="sales", created_at=local(2026, 9, 10, 12),
               accepted_at=local(2026, 9, 10, 13), closed_at=local(2026, 9, 12, 14, 24))
    factories.problem(y1, status="withdrawn", category="other", created_at=local(2026, 9, 14, 23, 50),
               withdrawn_at=local(2026, 9, 15, 1))
    factories.visit(x1, liaison, local(2026, 9, 15, 9))
    factories.visit(x1, liaison, local(2026, 9, 3))
    factories.visit(x2, liaison, local(2026, 9, 14))
    factories.visit(x1, liaison, local(2026, 9, 16))
    factories.visit(y1, liaison, local(2026, 8, 30))
    for firm, severity, state in ((x1, "yellow", "open"), (y1, "red", "open"), (x2, "orange", "acknowledged"),
                                  (y2, "yellow", "closed")):
        db_session.add(EarlyWarning(type="halted", severity=severity, state=state, subject=f"enterprise:{firm.id}",
                               enterprise_id=firm.id, region_id=firm.region_id, opened_at=local(2026, 9, 1)))
    db_session.commit()
    return prefecture, x, y


def test_the_dashboard_gives_the_hand_computed_figures(db_session, login_as):
    prefecture, x, y = _dataset(db_session)
    response = login_as("t_dash_coord").get(f"dashboard?region={prefecture.id}&date={DAY}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["region"]["code"] == "629800" and body["date"] == DAY
    problems = body["problems"]
    assert problems["total"] == 7
    assert problems["by_status"] == {"pending": 1, "in_progress": 1, "awaiting_info": 0, "resolved": 1, "closed": 2,
                                     "rejected": 1, "withdrawn": 1}
    assert problems["by_category"] == {"labor": 2, "financing": 1, "production": 0, "supply": 1, "sales": 1,
                                       "logistics": 0, "policy": 0, "other": 2}
    assert problems["by_level"] == {"province": 0, "prefecture": 1, "county": 6}
    # New that day in Asia/Shanghai: 10:00 and 00:10 count, 23:50 the evening before does not.
    assert (problems["new"], problems["accepted"], problems["resolved"], problems["closed"]) == (2, 1, 1, 1)
    assert problems["overdue"] == 1
    assert problems["closure_rate"] == 0.4  # 2 closed / (7 - 1 rejected - 1 withdrawn)
    assert problems["mean_days_to_close"] == 8.3  # (14.5 + 2.1) / 2
    assert body["visits"] == {"day": 1, "month": 3}
    assert body["key_enterprises"] == {"total": 3, "visited_this_month": 1}
    assert body["enterprises_by_status"] == {"halted": 1, "partial": 1, "resumed": 2, "full_capacity": 0}
    assert body["warnings_open"] == {"yellow": 1, "orange": 0, "red": 1}


def test_the_dashboard_has_one_row_per_direct_child_region(db_session, login_as):
    prefecture, x, y = _dataset(db_session)
    body = login_as("t_dash_coord").get(f"dashboard?region={prefecture.id}&date={DAY}").get_json()
    rows = {row["region"]["code"]: row for row in body["children"]}
    assert list(rows) == [x.code, y.code]
    assert rows[x.code]["problems"]["total"] == 5 and rows[y.code]["problems"]["total"] == 2
    assert rows[x.code]["problems"]["closure_rate"] == 0.25
    assert rows[x.code]["problems"]["mean_days_to_close"] == 14.5
    assert rows[y.code]["problems"]["closure_rate"] == 1.0
    assert rows[x.code]["visits"] == {"day": 1, "month": 3} and rows[y.code]["visits"] == {"day": 0, "month": 0}
    assert rows[x.code]["key_enterprises"] == {"total": 1, "visited_this_month": 1}
    assert rows[y.code]["key_enterprises"] == {"total": 2, "visited_this_month": 0}


def test_a_region_with_no_problems_has_null_rates(db_session, login_as):
    prefecture, x, y = _dataset(db_session)
    empty = factories.region("629899", "空县", "county", prefecture)
    db_session.commit()
    body = login_as("t_dash_coord").get(f"dashboard?region={empty.id}&date={DAY}").get_json()
    assert body["problems"]["total"] == 0
    assert body["problems"]["closure_rate"] is None and body["problems"]["mean_days_to_close"] is None
    assert body["children"] == []


def test_the_default_is_the_callers_region_and_today(login_as, demo):
    body = login_as("lxx_coord").get("dashboard").get_json()
    assert body["region"]["id"] == demo.region_id("622921")
    from services.timeutil import local_today

    assert body["date"] == local_today().isoformat()


def test_the_admin_default_is_the_province(login_as):
    assert login_as("admin").get("dashboard").get_json()["region"]["code"] == "620000"


def test_enterprise_counts_agree_with_the_enterprise_list(login_as, demo):
    coordinator = login_as("lx_coord")
    body = coordinator.get("dashboard").get_json()
    region = demo.region_id("622900")
    for status, count in body["enterprises_by_status"].items():
        listed = coordinator.get(f"enterprises?region={region}&operating_status={status}&count=true&limit=1")
        assert listed.get_json()["total"] == count, status
    keys = coordinator.get(f"enterprises?region={region}&tag=key&count=true&limit=1").get_json()["total"]
    assert body["key_enterprises"]["total"] == keys


def test_problem_counts_agree_with_the_database(login_as, demo, db_session):
    from services.models import Problem

    body = login_as("gs_coord").get("dashboard").get_json()
    counted = dict(db_session.execute(select(Problem.status, func.count()).group_by(Problem.status)).all())
    assert {k: v for k, v in body["problems"]["by_status"].items() if v} == counted


def test_a_region_outside_the_callers_scope_is_not_found(login_as, demo):
    response = login_as("lxx_coord").get(f"dashboard?region={demo.region_id('622922')}")
    assert response.status_code == 404


@pytest.mark.parametrize("username", ["liaison_ma", "ent_qhy"])
def test_liaisons_and_enterprises_may_not_read_the_dashboard(login_as, username):
    assert login_as(username).get("dashboard").status_code == 403


@pytest.mark.parametrize("query", ["date=2026-13-01", "region=0", "region=abc"])
def test_bad_dashboard_arguments_are_refused(login_as, query):
    assert login_as("lx_coord").get(f"dashboard?{query}").status_code == 422


def _statements(app, region_id) -> int:
    count = 0

    def _count(*_args):
        nonlocal count
        count += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", _count)
    try:
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        dashboard(actor=Actor.for_user(admin), region=region_id, day=factories.local(2026, 9, 15).date())
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    return count


def test_the_dashboard_runs_a_fixed_number_of_queries_whatever_the_data_size(app, db_session):
    prefecture, x, y = _dataset(db_session)
    db_session.expire_all()
    small = _statements(app, prefecture.id)
    liaison = db_session.scalar(select(User).where(User.username == "t_dash_liaison"))
    for i in range(30):
        county = x if i % 2 else y
        firm = factories.enterprise(county, tags=["key"] if i % 3 else [], status="partial")
        factories.problem(firm, status="closed" if i % 2 else "pending", created_at=local(2026, 9, 1 + i % 14),
                   closed_at=local(2026, 9, 15) if i % 2 else None, due_at=local(2026, 9, 10))
        factories.visit(firm, liaison, local(2026, 9, 1 + i % 15))
    db_session.commit()
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Enterprise)
                             .where(Enterprise.region_id.in_([x.id, y.id]))) == 34
    large = _statements(app, prefecture.id)
    assert 0 < small == large


def test_a_past_date_shows_that_dates_figures(db_session, login_as):
    from services.models import ProblemEvent

    prefecture, (x, y) = factories.fresh_prefecture("629400")
    factories.user("t_past_coord", "coordinator", prefecture)
    firm = factories.enterprise(x, status="resumed")
    factories.change(firm, "operating_status", "halted", "resumed", local(2026, 9, 20))
    item = factories.problem(firm, status="resolved", created_at=local(2026, 9, 1), accepted_at=local(2026, 9, 2),
                      due_at=local(2026, 9, 16), resolved_at=local(2026, 9, 20))
    for action, to_status, at in (("create", "pending", local(2026, 9, 1)), ("accept", "in_progress", local(2026, 9, 2)),
                                  ("resolve", "resolved", local(2026, 9, 20))):
        db_session.add(ProblemEvent(problem_id=item.id, action=action, to_status=to_status, to_level="county", at=at))
    factories.problem(firm, status="pending", created_at=local(2026, 9, 25))  # not filed yet on the 10th
    db_session.add(EarlyWarning(type="halted", severity="orange", state="closed", subject=f"enterprise:{firm.id}",
                           enterprise_id=firm.id, region_id=x.id, opened_at=local(2026, 9, 5),
                           closed_at=local(2026, 9, 20)))
    db_session.commit()
    session = login_as("t_past_coord")
    then = session.get(f"dashboard?region={prefecture.id}&date=2026-09-10").get_json()
    assert then["problems"]["total"] == 1
    assert then["problems"]["by_status"]["in_progress"] == 1 and then["problems"]["by_status"]["resolved"] == 0
    assert then["problems"]["overdue"] == 0
    assert then["enterprises_by_status"]["halted"] == 1 and then["warnings_open"]["orange"] == 1
    later = session.get(f"dashboard?region={prefecture.id}&date=2026-09-18").get_json()
    assert later["problems"]["overdue"] == 1  # past its due date on the 16th, still in progress then
    now = session.get(f"dashboard?region={prefecture.id}").get_json()
    assert now["problems"]["by_status"]["resolved"] == 1 and now["problems"]["total"] == 2
    assert now["enterprises_by_status"]["resumed"] == 1 and now["warnings_open"]["orange"] == 0


def test_child_rows_carry_every_figure_of_the_parent_row(db_session, login_as):
    prefecture, x, y = _dataset(db_session)
    body = login_as("t_dash_coord").get(f"dashboard?region={prefecture.id}&date={DAY}").get_json()
    parent_keys = set(body) - {"region", "date", "children"}
    rows = {row["region"]["code"]: row for row in body["children"]}
    for row in rows.values():
        assert parent_keys <= set(row)
    assert rows[x.code]["enterprises_by_status"] == {"halted": 1, "partial": 0, "resumed": 1, "full_capacity": 0}
    assert rows[y.code]["warnings_open"] == {"yellow": 0, "orange": 0, "red": 1}
    assert rows[x.code]["warnings_open"] == {"yellow": 1, "orange": 0, "red": 0}
    for name in ("enterprises_by_status", "warnings_open"):
        assert {k: sum(r[name][k] for r in rows.values()) for k in body[name]} == body[name]
