"""Every object and list item that references another by id carries the name a person reads, and a
list costs the same number of SQL statements whatever its length (no query per row)."""

import pytest
from sqlalchemy import event, select

from services.db import db
from services.models import Assignment, Department, Region, User, EarlyWarning
from tests import factories


def test_a_problem_carries_the_names_of_its_enterprise_region_department_and_actors(login_as, demo):
    session = login_as("lxx_coord")
    item = session.get("problems", query_string={"q": "流动资金贷款到期续贷困难"}).get_json()["items"][0]
    assert item["enterprise_name"] == "临夏县俊林饲料有限公司" or "俊林" in item["enterprise_name"]
    assert item["owning_region_name"] == "临夏县"
    assert item["department_name"] == "临夏县农业农村局"
    one = session.get(f"problems/{item['id']}").get_json()
    assert one["enterprise_name"] == item["enterprise_name"]
    assert all(e["actor"]["name"] for e in one["events"] if e["actor"])


def test_a_pending_problem_has_no_department_name(login_as):
    items = login_as("lxx_coord").get("problems", query_string={"status": "pending", "limit": 100}).get_json()["items"]
    unassigned = [p for p in items if p["department_id"] is None]
    assert unassigned and all(p["department_name"] is None for p in unassigned)


def test_a_visit_carries_its_enterprise_and_liaison_names(login_as):
    visit = login_as("liaison_ma").get("visits").get_json()["items"][0]
    assert visit["liaison_name"] and visit["enterprise_name"]
    assert "清河源" in visit["enterprise_name"]


@pytest.mark.parametrize("account, path, pairs", [
    ("admin", "enterprises", [("region_id", "region_name")]),
    ("admin", "warnings", [("enterprise_id", "enterprise_name"), ("region_id", "region_name"),
                           ("problem_id", "problem_number")]),
    ("admin", "assignments", [("user_id", "user_name"), ("enterprise_id", "enterprise_name")]),
    ("admin", "users", [("region_id", "region_name"), ("enterprise_id", "enterprise_name")]),
    ("admin", "departments", [("region_id", "region_name")]),
    ("admin", "regions", [("parent_id", "parent_name")]),
    ("admin", "common-problems", [("region_id", "region_name")]),
])
def test_list_items_carry_a_name_beside_every_id(login_as, account, path, pairs):
    items = login_as(account).get(path, query_string={"limit": 100}).get_json()["items"]
    assert items
    for id_key, name_key in pairs:
        with_id = [i for i in items if i[id_key] is not None]
        assert with_id, (path, id_key)
        assert all(i[name_key] for i in with_id), (path, name_key)
        assert all(i[name_key] is None for i in items if i[id_key] is None)


def test_a_status_report_names_its_enterprise_and_who_filed_it(login_as, demo):
    session = login_as("ent_qhy")
    enterprise_id = demo.enterprise_id("清河源")
    response = session.put(f"enterprises/{enterprise_id}/status-reports/2026-12",
                           json={"operating_status": "resumed", "employees": 318})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["filed_by_name"] and "清河源" in response.get_json()["enterprise_name"]


def test_a_plan_names_its_enterprise_its_author_and_its_approver(login_as, demo):
    versions = login_as("lxx_coord").get(f"enterprises/{demo.enterprise_id('清河源')}/plan/versions").get_json()
    approved = next(v for v in versions["items"] if v["status"] == "approved")
    draft = next(v for v in versions["items"] if v["status"] == "draft")
    assert "清河源" in approved["enterprise_name"]
    assert approved["created_by_name"] and approved["approved_by_name"]
    assert draft["approved_by"] is None and draft["approved_by_name"] is None


def _statements(session, path, **params) -> tuple[int, int]:
    count = 0

    def _count(*_args):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        response = session.get(path, query_string=params)
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)
    assert response.status_code == 200, response.get_json()
    return count, len(response.get_json()["items"])


@pytest.fixture
def many_rows(app, db_session):
    """110 problems and 110 visits, each at an enterprise of its own, with departments and liaisons."""
    prefecture, counties = factories.fresh_prefecture("629800", counties=2)
    departments = [Department(name=f"测试局{i}", region_id=counties[i % 2].id, industries=[]) for i in range(5)]
    db_session.add_all(departments)
    db_session.flush()
    liaisons = [factories.user(f"t_names_liaison{i}", "liaison", counties[i % 2]) for i in range(110)]
    for i in range(110):
        firm = factories.enterprise(counties[i % 2])
        factories.problem(firm, created_at=factories.local(2026, 10, 1 + i % 28), department_id=departments[i % 5].id)
        factories.visit(firm, liaisons[i % 7], factories.local(2026, 11, 1 + i % 28))
        db_session.add(Assignment(kind="liaison", user_id=liaisons[i].id, enterprise_id=firm.id,
                                  department_id=departments[i % 5].id, started_on=factories.local(2026, 9, 1).date()))
        db_session.add(EarlyWarning(type="halted", severity="orange", subject=f"enterprise:{firm.id}", enterprise_id=firm.id,
                               region_id=firm.region_id, detail={}, opened_at=factories.local(2026, 11, 2)))
    db_session.commit()
    assert db_session.scalar(select(Region.id).where(Region.id == prefecture.id))
    assert db_session.scalar(select(User.id).where(User.username == "t_names_liaison0"))


@pytest.mark.parametrize("path", ["problems", "visits", "enterprises", "warnings", "assignments", "users"])
def test_a_list_of_100_costs_as_many_statements_as_a_list_of_20(login_as, many_rows, path):
    session = login_as("admin")
    session.get(path)  # warm up: the first request of a session may touch it
    small, small_rows = _statements(session, path, limit=20)
    large, large_rows = _statements(session, path, limit=100)
    assert (small_rows, large_rows) == (20, 100)
    assert small == large, (path, small, large)
