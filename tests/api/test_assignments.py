"""Liaison and leader assignments: created in scope, ended, history kept."""

import pytest


def _assign(session, demo, user="liaison_ma", enterprise="清源", kind="liaison"):
    return session.post("assignments", json={"user_id": demo.user_id(user), "enterprise_id": demo.enterprise_id(enterprise),
                                             "kind": kind})


def test_a_coordinator_assigns_a_liaison_who_then_sees_the_enterprise(login_as, demo):
    target = demo.enterprise_id("北塬农机")
    assert login_as("liaison_li").get(f"enterprises/{target}").status_code == 404
    kl = login_as("lxx_coord")
    response = kl.post("assignments", json={"user_id": demo.user_id("liaison_li"), "enterprise_id": target})
    assert response.status_code == 404, "liaison_li is outside 临夏县's subtree"
    lx = login_as("lx_coord")
    assert lx.post("assignments", json={"user_id": demo.user_id("liaison_li"), "enterprise_id": target}).status_code == 201
    assert login_as("liaison_li").get(f"enterprises/{target}").status_code == 200


def test_an_active_duplicate_assignment_conflicts(login_as, demo):
    assert _assign(login_as("lxx_coord"), demo, enterprise="清河源").status_code == 409


def test_a_leader_assignment_needs_a_viewer_account(login_as, demo):
    response = _assign(login_as("lx_coord"), demo, user="liaison_ma", kind="leader")
    assert response.status_code == 422


def test_ending_an_assignment_removes_the_liaisons_sight_but_keeps_history(login_as, demo):
    coord = login_as("lxx_coord")
    items = coord.get("assignments", query_string={"enterprise": demo.enterprise_id("俊林"), "kind": "liaison"}).get_json()["items"]
    assignment = items[0]
    ended = coord.post(f"assignments/{assignment['id']}/end", json={})
    assert ended.status_code == 200 and ended.get_json()["ended_on"]
    assert login_as("liaison_ma").get(f"enterprises/{demo.enterprise_id('俊林')}").status_code == 404
    history = coord.get("assignments", query_string={"enterprise": demo.enterprise_id("俊林"), "active": "false"})
    assert assignment["id"] in [a["id"] for a in history.get_json()["items"]]
    assert coord.post(f"assignments/{assignment['id']}/end", json={}).status_code == 409


@pytest.mark.parametrize("username", ["liaison_ma", "lx_viewer", "ent_qhy"])
def test_only_coordinators_and_admins_assign(login_as, demo, username):
    assert _assign(login_as(username), demo, enterprise="清河源", user="liaison_ma").status_code in (403, 404)
    assert _assign(login_as(username), demo, enterprise="清河源", user="liaison_ma").status_code != 201


def test_an_out_of_scope_enterprise_id_in_the_body_is_404(login_as, demo):
    response = login_as("kl_coord").post("assignments", json={"user_id": demo.user_id("liaison_li"),
                                                               "enterprise_id": demo.enterprise_id("清河源")})
    assert response.status_code == 404
