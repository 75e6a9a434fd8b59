"""The three scope paths end to end, reopen, and what each side sees of the timeline."""

from tests.services.problems.helpers import BAISHENG, do, file


def test_a_county_problem_is_filed_accepted_resolved_and_closed_on_positive_feedback(login_as, demo):
    liaison, county, enterprise = login_as("liaison_ma"), login_as("lxx_coord"), login_as("ent_qhy")
    problem = file(liaison, demo)
    assert (problem["status"], problem["level"], problem["source"]) == ("pending", "county", "liaison")
    assert problem["owning_region_id"] == demo.region_id("622921")
    accepted = do(county, problem["id"], "accept")
    assert accepted["status"] == "in_progress" and accepted["accepted_at"] and accepted["due_at"]
    resolved = do(county, problem["id"], "resolve", {"resolution": "已协调银行无还本续贷"})
    assert resolved["status"] == "resolved" and resolved["resolved_at"]
    closed = do(enterprise, problem["id"], "feedback", {"rating": "satisfied"})
    assert closed["status"] == "closed" and closed["closed_at"] and closed["satisfaction"] == "satisfied"
    assert [e["action"] for e in closed["events"]] == ["create", "accept", "resolve", "feedback"]


def test_a_cross_county_problem_goes_through_the_prefecture(login_as, demo):
    county, prefecture = login_as("lxx_coord"), login_as("lx_coord")
    problem = file(login_as("liaison_ma"), demo, scope="cross_county")
    refused = county.post(f"problems/{problem['id']}/accept", json={})
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "invalid_transition"
    assert refused.get_json()["current_status"] == "pending"
    assert "escalate" in refused.get_json()["allowed_actions"]
    escalated = do(county, problem["id"], "escalate", {"reason": "跨县"})
    assert (escalated["status"], escalated["level"]) == ("pending", "prefecture")
    assert escalated["owning_region_id"] == demo.region_id("622900")
    assert do(prefecture, problem["id"], "accept")["status"] == "in_progress"
    assert do(prefecture, problem["id"], "resolve", {"resolution": "州级协调完成"})["status"] == "resolved"


def test_the_prefecture_returns_a_misjudged_problem_to_the_county(login_as, demo):
    county, prefecture = login_as("lxx_coord"), login_as("lx_coord")
    problem = file(login_as("liaison_ma"), demo, scope="cross_county")
    do(county, problem["id"], "escalate")
    returned = do(prefecture, problem["id"], "return", {"scope": "county", "reason": "实为县域内问题"})
    assert (returned["status"], returned["level"], returned["scope"]) == ("pending", "county", "county")
    assert returned["owning_region_id"] == demo.region_id("622921")
    assert do(county, problem["id"], "accept")["status"] == "in_progress"


def test_a_problem_is_never_returned_below_its_required_level(login_as, demo):
    county, prefecture = login_as("lxx_coord"), login_as("lx_coord")
    problem = file(login_as("liaison_ma"), demo, scope="cross_county")
    do(county, problem["id"], "escalate")
    response = prefecture.post(f"problems/{problem['id']}/return", json={"scope": "cross_county", "reason": "退回"})
    assert response.status_code == 422
    assert "scope" in response.get_json()["errors"]


def test_a_provincial_problem_reaches_the_province_only_through_the_prefecture(login_as, demo):
    county, prefecture, province = login_as("lxx_coord"), login_as("lx_coord"), login_as("gs_coord")
    problem = file(login_as("ent_qhy"), demo, scope="provincial")
    assert problem["source"] == "enterprise"
    assert province.post(f"problems/{problem['id']}/accept", json={}).status_code == 403
    do(county, problem["id"], "escalate")
    assert prefecture.post(f"problems/{problem['id']}/accept", json={}).status_code == 409
    at_province = do(prefecture, problem["id"], "escalate")
    assert (at_province["level"], at_province["owning_region_id"]) == ("province", demo.region_id("620000"))
    assert do(province, problem["id"], "accept")["status"] == "in_progress"


def test_unsatisfied_feedback_reopens_at_the_same_task_force(login_as, demo):
    county, enterprise = login_as("lxx_coord"), login_as("ent_qhy")
    problem = file(login_as("liaison_ma"), demo)
    do(county, problem["id"], "accept")
    do(county, problem["id"], "resolve", {"resolution": "已协调"})
    reopened = do(enterprise, problem["id"], "feedback", {"rating": "unsatisfied", "comment": "贷款仍未到位"})
    assert (reopened["status"], reopened["reopen_count"], reopened["level"]) == ("in_progress", 1, "county")
    assert do(county, problem["id"], "resolve", {"resolution": "已放款"})["status"] == "resolved"


def test_unsatisfied_feedback_needs_a_reason(login_as, demo):
    county = login_as("lxx_coord")
    problem = file(login_as("liaison_ma"), demo)
    do(county, problem["id"], "accept")
    do(county, problem["id"], "resolve", {"resolution": "已协调"})
    response = login_as("ent_qhy").post(f"problems/{problem['id']}/feedback", json={"rating": "unsatisfied"})
    assert response.status_code == 422


def test_a_liaison_records_a_follow_up_call_as_feedback(login_as, demo):
    county = login_as("lxx_coord")
    problem = file(login_as("ent_qhy"), demo)
    do(county, problem["id"], "accept")
    do(county, problem["id"], "resolve", {"resolution": "已协调"})
    closed = do(login_as("liaison_ma"), problem["id"], "feedback", {"rating": "basically_satisfied", "method": "phone"})
    assert closed["status"] == "closed"
    assert closed["events"][-1]["data"]["method"] == "phone"


def test_internal_comments_are_hidden_from_the_enterprise(login_as, demo):
    county = login_as("lxx_coord")
    problem = file(login_as("ent_qhy"), demo)
    do(county, problem["id"], "comment", {"text": "内部：该企业另有欠税", "internal": True})
    do(county, problem["id"], "comment", {"text": "已收到，正在协调"})
    seen = login_as("ent_qhy").get(f"problems/{problem['id']}").get_json()["events"]
    assert [e["comment"] for e in seen if e["action"] == "comment"] == ["已收到，正在协调"]
    staff = county.get(f"problems/{problem['id']}").get_json()["events"]
    assert len([e for e in staff if e["action"] == "comment"]) == 2


def test_an_enterprise_user_cannot_post_internal_comments(login_as, demo):
    problem = file(login_as("ent_qhy"), demo)
    response = login_as("ent_qhy").post(f"problems/{problem['id']}/comment", json={"text": "x", "internal": True})
    assert response.status_code == 403


def test_an_enterprise_never_sees_another_enterprises_problems(login_as, demo):
    problem = file(login_as("liaison_li"), demo, enterprise=BAISHENG)
    other = login_as("ent_qhy")
    assert other.get(f"problems/{problem['id']}").status_code == 404
    assert other.post(f"problems/{problem['id']}/comment", json={"text": "?"}).status_code == 404
    ids = [p["id"] for p in other.get("problems", query_string={"limit": 100}).get_json()["items"]]
    assert problem["id"] not in ids


def test_an_enterprise_cannot_file_for_another_enterprise(login_as, demo):
    response = login_as("ent_qhy").post("problems", json={"enterprise_id": demo.enterprise_id(BAISHENG),
                                                          "category": "labor", "title": "x", "scope": "county"})
    assert response.status_code == 404


def test_the_county_keeps_read_only_sight_after_escalation(login_as, demo):
    county = login_as("lxx_coord")
    problem = file(login_as("liaison_ma"), demo, scope="cross_county")
    do(county, problem["id"], "escalate")
    seen = county.get(f"problems/{problem['id']}")
    assert seen.status_code == 200
    assert seen.get_json()["allowed_actions"] == ["comment"]
    assert county.post(f"problems/{problem['id']}/accept", json={}).status_code == 403


def test_a_viewer_reads_but_may_not_act(login_as, demo):
    problem = file(login_as("liaison_ma"), demo)
    viewer = login_as("lx_viewer")
    assert viewer.get(f"problems/{problem['id']}").get_json()["allowed_actions"] == []
    assert viewer.post(f"problems/{problem['id']}/comment", json={"text": "关注"}).status_code == 403
