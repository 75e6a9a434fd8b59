"""不来即享: criteria, matching with reasons and near misses, publishing, rights."""

from datetime import date, timedelta

import pytest

from services.policies import Facts, evaluate

LINXIA_PATH = "/1/2/"


def facts(**kw):
    base = dict(entity_type="enterprise", scale="small", industry="C", region_path="/1/2/4/", employees=50, tags=[])
    return Facts(**{**base, **kw})


@pytest.mark.parametrize(("employees", "ok"), [(4, False), (5, True), (50, True), (100, True), (101, False)])
def test_employee_bounds_are_inclusive(employees, ok):
    met, failed = evaluate(facts(employees=employees), {"min_employees": 5, "max_employees": 100}, {})
    assert (not failed) is ok


def test_unknown_employees_fail_an_employee_criterion():
    _, failed = evaluate(facts(employees=None), {"min_employees": 5}, {})
    assert failed and "未提供" in failed[0]


def test_a_region_criterion_covers_the_subtree():
    assert not evaluate(facts(region_path="/1/2/4/"), {"region_ids": [2]}, {2: LINXIA_PATH})[1]
    assert evaluate(facts(region_path="/1/12/13/"), {"region_ids": [2]}, {2: LINXIA_PATH})[1]


def test_reasons_name_each_criterion_met():
    met, failed = evaluate(facts(), {"scales": ["small", "micro"], "industries": ["C"]}, {})
    assert not failed and len(met) == 2 and "小型" in met[0]


def test_tags_any_needs_one_of_the_tags():
    assert not evaluate(facts(tags=["key"]), {"tags_any": ["key", "specialized"]}, {})[1]
    assert evaluate(facts(tags=[]), {"tags_any": ["key"]}, {})[1]


def _match(client, **kw):
    body = {"entity_type": "individual", "scale": "micro", "industry": "H", **kw}
    return client.post("policies/match", json=body)


def test_anyone_matches_typed_in_facts_without_an_account(client, demo):
    response = _match(client, region_id=demo.region_id("622921"), employees=3)
    assert response.status_code == 200
    titles = [m["policy"]["title"] for m in response.get_json()["matched"]]
    assert "个体工商户和小微企业小额信用贷款" in titles
    assert all(m["reasons"] for m in response.get_json()["matched"])


def test_near_misses_name_the_one_criterion_that_failed(client, demo):
    body = _match(client, region_id=demo.region_id("622921"), employees=3).get_json()
    near = {m["policy"]["title"]: m["failed"] for m in body["near_misses"]}
    assert "从业人数" in near["吸纳就业奖补"]


def test_expired_policies_never_match(client, demo):
    body = _match(client, region_id=demo.region_id("622921"), employees=30).get_json()
    titles = [m["policy"]["title"] for m in body["matched"] + body["near_misses"]]
    assert not any("已到期" in t for t in titles)


def test_a_region_outside_the_policy_area_fails_that_criterion(client, demo):
    body = _match(client, region_id=demo.region_id("620102"), employees=30).get_json()
    assert "吸纳就业奖补" not in [m["policy"]["title"] for m in body["matched"]]


def test_an_unknown_region_is_a_validation_error(client):
    assert _match(client, region_id=999999).status_code == 422


def test_the_public_match_is_rate_limited_per_address(make_app, demo):
    from tests.conftest import ApiClient

    client = ApiClient(make_app(PUBLIC_RATE_LIMIT="3 per minute").test_client())
    codes = [_match(client, region_id=demo.region_id("622921")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_an_enterprise_sees_its_own_matches_and_not_anothers(login_as, demo):
    own = login_as("ent_bs").get(f"enterprises/{demo.enterprise_id('百盛超市')}/policies")
    assert own.status_code == 200 and own.get_json()["matched"]
    assert login_as("ent_bs").get(f"enterprises/{demo.enterprise_id('清河源')}/policies").status_code == 404


def _policy(**kw):
    today = date.today()
    return {"title": "测试政策", "issuer": "临夏州", "benefit_type": "subsidy", "summary": "测试",
            "criteria": {"scales": ["small"], "industries": ["F"]}, "valid_from": (today - timedelta(days=1)).isoformat(),
            "valid_to": (today + timedelta(days=300)).isoformat(), **kw}


def test_publishing_notifies_every_matching_enterprise(login_as):
    assert login_as("lx_coord").post("policies", json=_policy()).status_code == 201
    inbox = login_as("ent_bs").get("notifications").get_json()["items"]
    assert any(n["kind"] == "policy.matched" for n in inbox)
    other = login_as("ent_qhy").get("notifications").get_json()["items"]
    assert not any(n["kind"] == "policy.matched" for n in other), "清河源 is medium-sized manufacturing"


def test_a_future_policy_notifies_nobody_until_it_is_in_force(login_as):
    later = (date.today() + timedelta(days=30)).isoformat()
    created = login_as("admin").post("policies", json=_policy(valid_from=later))
    assert created.status_code == 201
    assert not any(n["kind"] == "policy.matched" for n in login_as("ent_bs").get("notifications").get_json()["items"])
    response = login_as("admin").patch(f"policies/{created.get_json()['id']}",
                                       json={"valid_from": date.today().isoformat()}, headers={"If-Match": '"1"'})
    assert response.status_code == 200
    assert any(n["kind"] == "policy.matched" for n in login_as("ent_bs").get("notifications").get_json()["items"])


@pytest.mark.parametrize(("username", "status"), [("admin", 201), ("gs_coord", 201), ("lx_coord", 201),
                                                   ("lxx_coord", 403), ("liaison_ma", 403), ("lx_viewer", 403),
                                                   ("ent_qhy", 403)])
def test_who_may_publish_policies(login_as, username, status):
    assert login_as(username).post("policies", json=_policy()).status_code == status


def test_inverted_employee_bounds_are_refused(login_as):
    response = login_as("admin").post("policies", json=_policy(criteria={"min_employees": 10, "max_employees": 5}))
    assert response.status_code == 422


def test_policies_are_listed_with_filters(login_as):
    items = login_as("liaison_ma").get("policies", query_string={"in_force": "true", "limit": 100}).get_json()["items"]
    assert items and not any("已到期" in p["title"] for p in items)
    finance = login_as("liaison_ma").get("policies", query_string={"benefit_type": "finance"}).get_json()["items"]
    assert finance and {p["benefit_type"] for p in finance} == {"finance"}
