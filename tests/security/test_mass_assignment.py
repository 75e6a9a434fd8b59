"""Server-owned fields in any write body are refused (422) and change nothing."""

import pytest

from tests.services.needs.helpers import need_id
from tests.services.problems.helpers import file

SERVER_OWNED = {"id": 999, "version": 99, "created_at": "2020-01-01T00:00:00+08:00",
                "updated_at": "2020-01-01T00:00:00+08:00"}
PROBLEM_OWNED = {"status": "closed", "level": "province", "owning_region_id": 1, "reopen_count": 0,
                 "source": "coordinator", "number": "LX-2000-000001", "accepted_at": "2020-01-01T00:00:00+08:00",
                 "closed_at": "2020-01-01T00:00:00+08:00", "satisfaction": "satisfied"}

# (account, method, path template, a valid body, headers)
WRITES = [
    ("admin", "PATCH", "enterprises/{enterprise}", {"address": "新地址"}, {"If-Match": '"1"'}),
    ("admin", "POST", "users", {"username": "someone", "password": "Strong#2026", "name": "x", "role": "admin"}, {}),
    ("admin", "PATCH", "regions/{region}", {"name": "临夏县"}, {"If-Match": '"1"'}),
    ("admin", "POST", "departments", {"name": "新部门", "region_id": 1}, {}),
    ("lxx_coord", "POST", "assignments", {"user_id": "{liaison}", "enterprise_id": "{other}"}, {}),
    ("liaison_ma", "POST", "problems", {"enterprise_id": "{enterprise}", "category": "labor", "title": "x",
                                        "scope": "county"}, {}),
    ("liaison_ma", "PATCH", "problems/{problem}", {"title": "改标题"}, {"If-Match": '"1"'}),
    ("lxx_coord", "POST", "problems/{problem}/accept", {}, {}),
    ("liaison_ma", "POST", "visits", {"enterprise_id": "{enterprise}", "method": "phone",
                                      "visited_at": "2026-01-05T10:00:00+08:00"}, {}),
    ("liaison_ma", "PUT", "enterprises/{enterprise}/plan", {"situation": "x"}, {"If-Match": '"2"'}),
    ("admin", "POST", "policies", {"title": "x", "issuer": "y", "benefit_type": "tax"}, {}),
    ("ent_qhy", "PUT", "enterprises/{enterprise}/status-reports/2026-01", {"operating_status": "resumed",
                                                                          "employees": 3}, {}),
    ("ent_qhy", "POST", "needs", {"kind": "sales", "details": {"product": "牛肉", "quantity": 1, "unit": "吨"}}, {}),
    ("ent_qhy", "PATCH", "needs/{need}", {"details": {"product": "牛肉", "quantity": 1, "unit": "吨"}},
     {"If-Match": '"1"'}),
    ("bank_lxns", "POST", "needs/{financing}/offers", {"amount_10k": 10, "rate_pct": 4, "term_months": 6}, {}),
]
EXTRA = [{key: value} for key, value in {**SERVER_OWNED, **PROBLEM_OWNED}.items()]


def _fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


@pytest.fixture
def ids(login_as, demo):
    return {"enterprise": demo.enterprise_id("清河源"), "other": demo.enterprise_id("清源"),
            "region": demo.region_id("622921"), "liaison": demo.user_id("liaison_ma"),
            "problem": file(login_as("liaison_ma"), demo)["id"],
            "need": need_id(demo, enterprise="清河源", kind="sales"),
            "financing": need_id(demo, enterprise="北塬", kind="financing")}


@pytest.mark.parametrize(("account", "method", "template", "body", "headers"), WRITES,
                         ids=[f"{w[1]} {w[2]}" for w in WRITES])
def test_server_owned_fields_are_refused_and_change_nothing(login_as, ids, account, method, template, body, headers):
    session = login_as(account)
    path = template.format(**ids)
    valid = {k: _fill(v, ids) for k, v in body.items()}
    before = session.get(path).get_json() if method in ("PATCH", "PUT") and "status-reports" not in path else None
    for extra in EXTRA:
        if set(extra) & set(valid):
            continue
        response = session.request(method, path, json={**valid, **extra}, headers=headers)
        assert response.status_code == 422, (extra, response.get_json())
        assert set(extra) <= set(response.get_json()["errors"])
    if before is not None:
        assert session.get(path).get_json() == before
