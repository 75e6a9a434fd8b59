"""Needs: the published kinds, filing with validated details (alone or inside POST /problems), scope, editing
with If-Match, withdrawal, idempotency and the expiry of stale needs."""

from datetime import timedelta

import pytest

from services.db import db, utcnow
from tests.services.needs.helpers import FINANCING, LABOR, need_id, notified, publish, trade


def test_need_kinds_are_published_without_a_token(client):
    response = client.get("meta/need-kinds")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"financing", "labor", "supply", "sales"}
    amount = next(f for f in body["financing"]["fields"] if f["name"] == "amount_10k")
    assert amount["label"] == "融资金额（万元）" and amount["required"] and amount["min"] == 0.01
    posts = next(f for f in body["labor"]["fields"] if f["name"] == "posts")
    assert [f["name"] for f in posts["items"]] == ["title", "count", "skills", "wage_from", "wage_to", "placed"]
    assert next(f for f in body["financing"]["fields"] if f["name"] == "guarantee")["choices"] == [
        "credit", "collateral", "guarantor"]


def test_an_enterprise_publishes_its_own_need_without_naming_itself(login_as, demo):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    assert need["enterprise_id"] == demo.enterprise_id("清河源")
    assert need["status"] == "open" and need["details"]["amount_10k"] == 120
    assert need["enterprise_name"].startswith("临夏县清河源") and need["region_name"] == "临夏县"
    assert need["contact"]["phone"] and "*" not in need["contact"]["phone"]
    assert [e["action"] for e in need["events"]] == ["create"]


@pytest.mark.parametrize("kind, details, field", [
    ("financing", {**FINANCING, "amount_10k": 0}, "details.amount_10k"),
    ("financing", {**FINANCING, "guarantee": "house"}, "details.guarantee"),
    ("financing", {k: v for k, v in FINANCING.items() if k != "purpose"}, "details.purpose"),
    ("financing", {**FINANCING, "rate": 3}, "details.rate"),
    ("labor", {**LABOR, "posts": []}, "details.posts"),
    ("labor", {"posts": [{"title": "工", "count": 0}], "start_by": "2099-01-01"}, "details.posts.0.count"),
    ("labor", {"posts": [{"title": "工", "count": 1, "wage_from": 5000, "wage_to": 3000}], "start_by": "2099-01-01"},
     "details.posts.0.wage_to"),
    ("labor", {"posts": [{"title": "工", "count": 1, "placed": 1}], "start_by": "2099-01-01"},
     "details.posts.0.placed"),
    ("labor", {**LABOR, "start_by": "2099-13-01"}, "details.start_by"),
    ("supply", trade("钢材", quantity="many"), "details.quantity"),
    ("sales", trade("", unit="吨"), "details.product"),
    ("supply", trade("钢材", keywords=["x" * 30]), "details.keywords"),
])
def test_details_are_validated_per_kind_and_nothing_is_filed(login_as, kind, details, field):
    session = login_as("ent_qhy")
    before = session.get("needs?count=true").get_json()["total"]
    response = session.post("needs", json={"kind": kind, "details": details})
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert session.get("needs?count=true").get_json()["total"] == before


def test_a_liaison_files_for_an_assigned_enterprise_only(login_as, demo):
    session = login_as("liaison_ma")
    assert publish(session, "labor", LABOR, enterprise_id=demo.enterprise_id("清河源"))["status"] == "open"
    response = session.post("needs", json={"kind": "labor", "details": LABOR,
                                           "enterprise_id": demo.enterprise_id("百盛超市")})
    assert response.status_code == 404


@pytest.mark.parametrize("account", ["lx_viewer", "bank_lxns", "auditor"])
def test_readers_and_institutions_cannot_file_needs(login_as, demo, account):
    response = login_as(account).post("needs", json={"kind": "labor", "details": LABOR,
                                                     "enterprise_id": demo.enterprise_id("清河源")})
    assert response.status_code == 403


def test_a_problem_carries_its_need_in_the_same_request(login_as, demo):
    session = login_as("ent_qhy")
    response = session.post("problems", json={
        "enterprise_id": demo.enterprise_id("清河源"), "category": "financing", "title": "扩产资金缺口",
        "description": "需要流动资金", "scope": "county", "need": {"kind": "financing", "details": FINANCING}})
    assert response.status_code == 201, response.get_json()
    problem = response.get_json()
    assert [n["kind"] for n in problem["needs"]] == ["financing"]
    need = session.get(f"needs/{problem['needs'][0]['id']}").get_json()
    assert need["problem_id"] == problem["id"]


def test_a_problem_with_an_invalid_need_files_nothing(login_as, demo):
    session = login_as("ent_qhy")
    problems = session.get("problems?count=true").get_json()["total"]
    response = session.post("problems", json={
        "enterprise_id": demo.enterprise_id("清河源"), "category": "financing", "title": "扩产资金缺口",
        "scope": "county", "need": {"kind": "financing", "details": {**FINANCING, "term_months": 0}}})
    assert response.status_code == 422
    assert "details.term_months" in response.get_json()["errors"]
    assert session.get("problems?count=true").get_json()["total"] == problems


def test_a_need_must_be_of_the_problems_category(login_as, demo):
    response = login_as("ent_qhy").post("problems", json={
        "enterprise_id": demo.enterprise_id("清河源"), "category": "policy", "title": "政策咨询", "scope": "county",
        "need": {"kind": "labor", "details": LABOR}})
    assert response.status_code == 422
    assert "need.kind" in response.get_json()["errors"]


def test_an_enterprise_sees_only_its_own_needs(login_as, demo):
    items = login_as("ent_bs").get("needs?limit=100").get_json()["items"]
    assert items and {n["enterprise_id"] for n in items} == {demo.enterprise_id("百盛超市")}


def test_a_foreign_need_does_not_exist_for_the_caller(login_as, demo):
    foreign = need_id(demo, enterprise="百盛超市", kind="labor")
    assert login_as("ent_qhy").get(f"needs/{foreign}").status_code == 404
    assert login_as("lxx_coord").get(f"needs/{foreign}").status_code == 404


def test_a_viewer_sees_masked_phones_and_no_money(login_as, demo):
    need = login_as("lx_viewer").get(f"needs/{need_id(demo, enterprise='清河源', kind='financing')}").get_json()
    assert "****" in need["contact"]["phone"]
    assert need["details"]["amount_10k"] is None
    assert all(o["amount_10k"] is None for o in need["offers"])


def test_patch_needs_if_match_and_refuses_a_stale_version(login_as):
    session = login_as("ent_qhy")
    need = publish(session, "supply", trade("纸箱"))
    path = f"needs/{need['id']}"
    assert session.patch(path, json={"details": trade("瓦楞纸箱")}).status_code == 428
    fresh = session.patch(path, json={"details": trade("瓦楞纸箱")}, headers={"If-Match": f'"{need["version"]}"'})
    assert fresh.status_code == 200 and fresh.get_json()["details"]["product"] == "瓦楞纸箱"
    stale = session.patch(path, json={"details": trade("木箱")}, headers={"If-Match": f'"{need["version"]}"'})
    assert stale.status_code == 412


def test_a_withdrawn_need_cannot_be_withdrawn_again(login_as):
    session = login_as("ent_qhy")
    need = publish(session, "sales", trade("牛肉酱"))
    assert session.post(f"needs/{need['id']}/withdraw", json={"reason": "不再销售"}).get_json()["status"] == "withdrawn"
    again = session.post(f"needs/{need['id']}/withdraw", json={})
    assert again.status_code == 409
    assert again.get_json()["current_status"] == "withdrawn"


def test_withdrawing_closes_open_offers_with_a_notice(login_as, demo):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    offer = login_as("bank_lxns").post(f"needs/{need['id']}/offers", json={
        "amount_10k": 100, "rate_pct": 4.2, "term_months": 12}).get_json()
    login_as("ent_qhy").post(f"needs/{need['id']}/withdraw", json={})
    mine = login_as("bank_lxns").get(f"needs/{need['id']}").get_json()
    assert [o["status"] for o in mine["offers"] if o["id"] == offer["id"]] == ["closed"]
    assert "授信意向已关闭：需求已撤回" in notified(demo, "bank_lxns", "offer.closed")


def test_a_repeated_post_with_the_same_key_files_one_need(login_as):
    session = login_as("ent_qhy")
    before = session.get("needs?count=true").get_json()["total"]
    headers = {"Idempotency-Key": "need-once-1"}
    first = session.post("needs", json={"kind": "sales", "details": trade("羊肉")}, headers=headers)
    second = session.post("needs", json={"kind": "sales", "details": trade("羊肉")}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert first.get_json()["id"] == second.get_json()["id"]
    assert session.get("needs?count=true").get_json()["total"] == before + 1


def test_the_scan_expires_stale_needs_once(app, login_as):
    from services.models import Need
    from services.needs import core

    need = publish(login_as("ent_qhy"), "sales", trade("牛骨"))
    with app.app_context():
        row = db.session.get(Need, need["id"])
        row.last_activity_at = utcnow() - timedelta(days=91)
        db.session.commit()
        first = core.expire_stale()
        assert first >= 1 and core.expire_stale() == 0
    body = login_as("ent_qhy").get(f"needs/{need['id']}").get_json()
    assert body["status"] == "expired" and body["events"][-1]["action"] == "expire"


def test_a_need_whose_date_passed_expires_in_the_scan_command(app, login_as):
    from services.models import Need

    need = publish(login_as("ent_qhy"), "labor", LABOR)
    with app.app_context():
        row = db.session.get(Need, need["id"])
        row.due_on = (utcnow() - timedelta(days=2)).date()
        db.session.commit()
    output = app.test_cli_runner().invoke(args=["scan"]).output
    assert "条过期" in output
    assert login_as("ent_qhy").get(f"needs/{need['id']}").get_json()["status"] == "expired"


def test_lists_filter_by_kind_and_status(login_as):
    items = login_as("lx_coord").get("needs?kind=labor&status=open,matched&limit=100").get_json()["items"]
    assert items and {n["kind"] for n in items} == {"labor"} and {n["status"] for n in items} <= {"open", "matched"}
