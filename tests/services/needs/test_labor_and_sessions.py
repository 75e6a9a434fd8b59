"""用工: placements per post until every post is filled; 对接会: invitations notified, outcomes recorded afterwards."""

from datetime import timedelta

import pytest

from services.timeutil import local_today

from tests.services.needs.helpers import FINANCING, LABOR, need_id, notified, publish, trade

TODAY = local_today()


def _place(session, need, post_index, placed, **extra):
    return session.post(f"needs/{need}/placements", json={"post_index": post_index, "placed": placed,
                                                          "placed_on": TODAY.isoformat(), **extra})


def test_placements_fill_posts_and_the_need_is_fulfilled_when_all_are(login_as, demo):
    need = publish(login_as("ent_qhy"), "labor", LABOR)
    coordinator = login_as("lxx_coord")
    first = _place(coordinator, need["id"], 0, 3)
    assert first.status_code == 201
    body = first.get_json()
    assert body["status"] == "matched" and body["details"]["posts"][0]["placed"] == 3
    done = _place(coordinator, need["id"], 1, 1).get_json()
    assert done["status"] == "fulfilled" and [p["placed"] for p in done["placements"]] == [3, 1]
    assert any("叉车司机 到岗 1 人" in t for t in notified(demo, "ent_qhy", "need.placement"))


def test_a_placement_beyond_the_posts_count_is_refused(login_as):
    need = publish(login_as("ent_qhy"), "labor", LABOR)
    response = _place(login_as("lxx_coord"), need["id"], 1, 2)
    assert response.status_code == 422 and "placed" in response.get_json()["errors"]


def test_a_placement_on_a_missing_post_is_refused(login_as):
    need = publish(login_as("ent_qhy"), "labor", LABOR)
    response = _place(login_as("lxx_coord"), need["id"], 5, 1)
    assert response.status_code == 422 and "post_index" in response.get_json()["errors"]


@pytest.mark.parametrize("account, status", [("ent_qhy", 403), ("liaison_ma", 403), ("kl_coord", 404),
                                             ("bank_lxns", 404)])
def test_only_coordinators_in_scope_record_placements(login_as, account, status):
    need = publish(login_as("ent_qhy"), "labor", LABOR)
    assert _place(login_as(account), need["id"], 0, 1).status_code == status


def test_placements_are_only_for_labor_needs(login_as):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    assert _place(login_as("lxx_coord"), need["id"], 0, 1).status_code == 409


def test_a_filled_need_takes_no_more_placements(login_as):
    need = publish(login_as("ent_qhy"), "labor", {"posts": [{"title": "厨师", "count": 1}], "start_by": "2099-01-01"})
    _place(login_as("lxx_coord"), need["id"], 0, 1)
    assert _place(login_as("lxx_coord"), need["id"], 0, 1).status_code == 409


def test_the_demo_labor_need_is_half_filled(login_as, demo):
    need = login_as("lx_coord").get(f"needs/{need_id(demo, enterprise='燎原', kind='labor')}").get_json()
    posts = need["details"]["posts"]
    assert need["status"] == "matched"
    assert sum(p["placed"] for p in posts) * 2 == sum(p["count"] for p in posts)


def _session_body(needs, **extra):
    return {"kind": "supply_sales", "title": "临夏县产供销对接会", "held_on": TODAY.isoformat(), "place": "县会展中心",
            "need_ids": needs, **extra}


def test_a_coordinator_organises_a_session_and_invitations_are_notified(login_as, demo):
    sales = publish(login_as("ent_qhy"), "sales", trade("清真月饼"))
    body = _session_body([sales["id"]], institution_ids=[1], enterprise_ids=[demo.enterprise_id("百盛超市")])
    response = login_as("lx_coord").post("matching-sessions", json=body)
    assert response.status_code == 201, response.get_json()
    session = response.get_json()
    assert session["need_ids"] == [sales["id"]] and session["organiser_name"].startswith("州专班")
    for account in ("ent_qhy", "ent_bs", "bank_lxns"):
        assert any("邀请参加产供销对接会" in t for t in notified(demo, account, "session.invited")), account


def test_a_session_invites_only_needs_of_its_kind(login_as):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    response = login_as("lx_coord").post("matching-sessions", json=_session_body([need["id"]]))
    assert response.status_code == 422 and "need_ids" in response.get_json()["errors"]


def test_a_session_cannot_invite_a_need_out_of_scope(login_as):
    sales = publish(login_as("ent_bs"), "sales", trade("月饼"))
    assert login_as("lxx_coord").post("matching-sessions", json=_session_body([sales["id"]])).status_code == 404


@pytest.mark.parametrize("account", ["ent_qhy", "liaison_ma", "lx_viewer", "bank_lxns"])
def test_only_coordinators_organise_sessions(login_as, account):
    sales = publish(login_as("ent_qhy"), "sales", trade("馓子"))
    assert login_as(account).post("matching-sessions", json=_session_body([sales["id"]])).status_code == 403


def test_outcomes_are_recorded_after_the_session_once(login_as, demo):
    sales = publish(login_as("ent_qhy"), "sales", trade("油香"))
    session = login_as("lx_coord").post("matching-sessions", json=_session_body([sales["id"]])).get_json()
    path = f"matching-sessions/{session['id']}/outcomes"
    recorded = login_as("lx_coord").post(path, json={"need_id": sales["id"], "result": "agreement", "amount_10k": 3})
    assert recorded.status_code == 200
    assert recorded.get_json()["needs"][0]["result"] == "agreement"
    assert login_as("lx_coord").post(path, json={"need_id": sales["id"], "result": "agreement"}).status_code == 409
    events = login_as("ent_qhy").get(f"needs/{sales['id']}").get_json()["events"]
    assert events[-1]["action"] == "session_outcome"


def test_outcomes_wait_until_the_session_is_held(login_as):
    sales = publish(login_as("ent_qhy"), "sales", trade("麻花"))
    later = (TODAY + timedelta(days=3)).isoformat()
    session = login_as("lx_coord").post("matching-sessions", json=_session_body([sales["id"]], held_on=later)).get_json()
    response = login_as("lx_coord").post(f"matching-sessions/{session['id']}/outcomes",
                                         json={"need_id": sales["id"], "result": "agreement"})
    assert response.status_code == 409


def test_an_outcome_for_a_need_not_invited_is_refused(login_as):
    sales = publish(login_as("ent_qhy"), "sales", trade("酿皮"))
    other = publish(login_as("ent_qhy"), "sales", trade("甜醅"))
    session = login_as("lx_coord").post("matching-sessions", json=_session_body([sales["id"]])).get_json()
    response = login_as("lx_coord").post(f"matching-sessions/{session['id']}/outcomes",
                                         json={"need_id": other["id"], "result": "agreement"})
    assert response.status_code == 404


def test_only_the_organising_task_force_records_outcomes(login_as):
    sales = publish(login_as("ent_qhy"), "sales", trade("粉条"))
    session = login_as("lx_coord").post("matching-sessions", json=_session_body([sales["id"]])).get_json()
    response = login_as("lxx_coord").post(f"matching-sessions/{session['id']}/outcomes",
                                          json={"need_id": sales["id"], "result": "agreement"})
    assert response.status_code == 403


def test_a_county_sees_the_prefectures_sessions_and_another_prefecture_does_not(login_as):
    held = login_as("lx_coord").get("matching-sessions").get_json()["items"]
    assert held
    assert {s["id"] for s in login_as("lxx_coord").get("matching-sessions").get_json()["items"]} >= {held[0]["id"]}
    assert login_as("lz_coord").get(f"matching-sessions/{held[0]['id']}").status_code == 404


def test_the_demo_session_has_outcomes(login_as):
    sessions = login_as("lx_coord").get("matching-sessions?kind=financing").get_json()["items"]
    assert any(n["result"] for s in sessions for n in s["needs"])


def test_a_session_later_this_month_does_not_count_as_held(login_as):
    sales = publish(login_as("ent_qhy"), "sales", trade("臊子面"))
    before = login_as("lx_coord").get("needs/figures").get_json()["sessions"]["held"]
    later = TODAY + timedelta(days=1)
    if later.month != TODAY.month:
        later = TODAY  # the last day of a month: today's session is held, and counted
    login_as("lx_coord").post("matching-sessions", json=_session_body([sales["id"]], held_on=later.isoformat()))
    after = login_as("lx_coord").get("needs/figures").get_json()["sessions"]["held"]
    assert after == before + (1 if later == TODAY else 0)


def test_a_renshe_department_user_sees_the_labor_needs_of_its_region_and_records_placements(login_as):
    need = publish(login_as("ent_qhy"), "labor", LABOR)
    renshe = login_as("dept_lx_rsj")
    listed = renshe.get("needs", query_string={"kind": "labor", "limit": 100}).get_json()["items"]
    assert need["id"] in [n["id"] for n in listed]
    assert "placement" in renshe.get(f"needs/{need['id']}").get_json()["allowed_actions"]
    placed = _place(renshe, need["id"], 0, 2)
    assert placed.status_code == 201 and placed.get_json()["details"]["posts"][0]["placed"] == 2


def test_a_renshe_department_user_sees_no_financing_need(login_as):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    renshe = login_as("dept_lx_rsj")
    assert renshe.get(f"needs/{need['id']}").status_code == 404
    assert all(n["kind"] == "labor" for n in renshe.get("needs", query_string={"limit": 100}).get_json()["items"])


def test_another_department_neither_sees_nor_fills_a_labor_need(login_as):
    need = publish(login_as("ent_qhy"), "labor", LABOR)
    works = login_as("dept_lxx_gxj")
    assert works.get(f"needs/{need['id']}").status_code == 404
    assert _place(works, need["id"], 0, 1).status_code == 404


def test_a_renshe_department_organises_a_job_fair_for_the_labor_needs_it_sees(login_as, demo):
    need = publish(login_as("ent_qhy"), "labor", LABOR)
    body = {"kind": "labor", "title": "临夏州春季招聘会", "held_on": TODAY.isoformat(), "place": "州人才市场",
            "need_ids": [need["id"]]}
    response = login_as("dept_lx_rsj").post("matching-sessions", json=body)
    assert response.status_code == 201, response.get_json()
    assert any("招聘会" in t for t in notified(demo, "ent_qhy", "session.invited"))
