"""共性问题 with mixed members, and similar problems by their Chinese text."""

from tests.services.problems.helpers import do, file


def test_resolving_a_common_problem_resolves_only_the_members_the_task_force_holds(login_as, demo):
    county = login_as("lxx_coord")
    liaison = login_as("liaison_ma")
    a = file(liaison, demo, title="贷款续贷难 A")
    b = file(liaison, demo, enterprise="俊林", title="贷款续贷难 B")
    c = file(liaison, demo, enterprise="清源", title="贷款续贷难 C")
    do(county, a["id"], "accept")
    do(county, b["id"], "accept")
    group = county.post("common-problems", json={"title": "银行抽贷", "problem_ids": [a["id"], b["id"], c["id"]]})
    assert group.status_code == 201
    result = county.post(f"common-problems/{group.get_json()['id']}/resolve", json={"resolution": "协调银行无还本续贷"})
    assert result.status_code == 200
    body = result.get_json()
    assert sorted(body["resolved"]) == sorted([a["id"], b["id"]])
    assert body["skipped"] == [{"id": c["id"], "status": "pending", "reason": "不在办理中"}]
    for problem_id in (a["id"], b["id"]):
        problem = county.get(f"problems/{problem_id}").get_json()
        assert problem["status"] == "resolved", "resolved, not closed: each still needs its own feedback"
    assert do(login_as("ent_qhy"), a["id"], "feedback", {"rating": "satisfied"})["status"] == "closed"


def test_members_out_of_scope_cannot_be_linked(login_as, demo):
    mine = file(login_as("liaison_ma"), demo)
    foreign = file(login_as("liaison_li"), demo, enterprise="百盛超市")
    response = login_as("lxx_coord").post("common-problems", json={"title": "x",
                                                                   "problem_ids": [mine["id"], foreign["id"]]})
    assert response.status_code == 404


def test_members_are_added_and_removed(login_as, demo):
    county, liaison = login_as("lxx_coord"), login_as("liaison_ma")
    a, b, c = (file(liaison, demo, title=f"问题{n}")["id"] for n in range(3))
    group = county.post("common-problems", json={"title": "共性", "problem_ids": [a, b]}).get_json()
    assert county.post(f"common-problems/{group['id']}/problems", json={"problem_ids": [c]}).get_json()["problem_ids"] == [a, b, c]
    assert county.delete(f"common-problems/{group['id']}/problems/{a}").status_code == 204
    assert county.get(f"common-problems/{group['id']}").get_json()["problem_ids"] == [b, c]
    assert county.delete(f"common-problems/{group['id']}/problems/{a}").status_code == 404


def test_only_coordinators_manage_common_problems(login_as, demo):
    liaison = login_as("liaison_ma")
    ids = [file(liaison, demo, title=f"问题{n}")["id"] for n in range(2)]
    assert liaison.post("common-problems", json={"title": "x", "problem_ids": ids}).status_code == 403
    assert login_as("kl_coord").get("common-problems").get_json()["items"] == []


def test_loan_wording_variants_rank_above_an_unrelated_transport_problem(login_as, demo):
    liaison = login_as("liaison_ma")
    target = file(liaison, demo, title="流动资金贷款到期续贷困难", category="financing")
    variant = file(liaison, demo, enterprise="俊林", title="银行抽贷断贷，企业融资贷款困难", category="financing")
    transport = file(liaison, demo, enterprise="清源", title="原料运输车辆通行受阻", category="logistics")
    items = login_as("lxx_coord").get(f"problems/{target['id']}/similar").get_json()["items"]
    ranked = [i["problem"]["id"] for i in items]
    assert variant["id"] in ranked
    assert transport["id"] not in ranked or ranked.index(variant["id"]) < ranked.index(transport["id"])
    assert target["id"] not in ranked
    assert all(0 < i["score"] <= 1 for i in items)


def test_an_out_of_scope_twin_never_appears(login_as, demo):
    target = file(login_as("liaison_ma"), demo, title="冷库用电增容申请", category="production")
    twin = file(login_as("liaison_li"), demo, enterprise="康美", title="冷库用电增容申请", category="production")
    items = login_as("lxx_coord").get(f"problems/{target['id']}/similar").get_json()["items"]
    assert twin["id"] not in [i["problem"]["id"] for i in items]
    assert login_as("lx_coord").get(f"problems/{target['id']}/similar").get_json()["items"][0]["problem"]["id"] == twin["id"]


def test_similar_for_a_hidden_problem_is_404(login_as, demo):
    hidden = file(login_as("liaison_li"), demo, enterprise="百盛超市")
    assert login_as("liaison_ma").get(f"problems/{hidden['id']}/similar").status_code == 404
