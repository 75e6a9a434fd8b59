"""对接 through a real server (Werkzeug in a thread, compression on), the way a client or an attacker drives it."""

import io

import requests
from openpyxl import load_workbook

from services.timeutil import local_today


def test_a_financing_need_meets_a_bank_over_http(live_server):
    kinds = requests.get(live_server.url + "meta/need-kinds", headers={"Accept-Encoding": "gzip"})
    assert kinds.status_code == 200
    fields = {f["name"] for f in kinds.json()["financing"]["fields"]}
    enterprise = live_server.login("ent_qhy")
    details = {"amount_10k": 80, "term_months": 6, "purpose": "收购活畜", "guarantee": "credit"}
    assert set(details) == fields
    need = enterprise.post(live_server.url + "needs", json={"kind": "financing", "details": details},
                           headers={"Idempotency-Key": "live-need-1"})
    assert need.status_code == 201
    replay = enterprise.post(live_server.url + "needs", json={"kind": "financing", "details": details},
                             headers={"Idempotency-Key": "live-need-1"})
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.json()["id"] == need.json()["id"]
    bank = live_server.login("bank_lxns")
    path = live_server.url + f"needs/{need.json()['id']}"
    assert bank.get(path).json()["contact"] is None
    offer = bank.post(path + "/offers", json={"amount_10k": 80, "rate_pct": 4.1, "term_months": 6}).json()
    etag = enterprise.get(path).headers["ETag"]
    assert enterprise.get(path, headers={"If-None-Match": etag}).status_code == 304
    accepted = enterprise.post(live_server.url + f"offers/{offer['id']}/accept", json={},
                               headers={"If-Match": f'"{offer["version"]}"'})
    assert accepted.status_code == 200
    assert bank.get(path).json()["contact"]["phone"].isdigit()
    outcome = bank.post(live_server.url + f"offers/{offer['id']}/outcome",
                        json={"granted": True, "amount_10k": 80, "granted_on": local_today().isoformat()})
    assert outcome.json()["status"] == "granted"
    assert enterprise.get(path).json()["status"] == "fulfilled"


def test_a_forged_token_and_a_foreign_offer_get_nothing(live_server):
    forged = requests.post(live_server.url + "needs/1/offers", json={"amount_10k": 1, "rate_pct": 1, "term_months": 1},
                           headers={"Authorization": "Bearer not-a-token"})
    assert forged.status_code == 401 and forged.headers["Content-Type"].startswith("application/problem+json")
    bank = live_server.login("bank_lxns")
    lanzhou = live_server.login("lz_coord").get(live_server.url + "enterprises?q=金城智造").json()["items"][0]
    need = live_server.login("lz_coord").post(live_server.url + "needs", json={
        "kind": "financing", "enterprise_id": lanzhou["id"],
        "details": {"amount_10k": 10, "term_months": 3, "purpose": "x", "guarantee": "credit"}}).json()
    response = bank.post(live_server.url + f"needs/{need['id']}/offers",
                         json={"amount_10k": 10, "rate_pct": 4, "term_months": 3})
    assert response.status_code == 404


def test_supply_meets_sales_over_http(live_server):
    seller, buyer = live_server.login("ent_qhy"), live_server.login("ent_bs")
    sales = seller.post(live_server.url + "needs", json={"kind": "sales", "details": {
        "product": "清真牛肉丸", "quantity": 3, "unit": "吨"}}).json()
    catalogue = buyer.get(live_server.url + "needs/catalogue", params={"q": "牛肉丸"}).json()["items"]
    assert [i["id"] for i in catalogue] == [sales["id"]] and "contact" not in catalogue[0]
    match = buyer.post(live_server.url + f"needs/{sales['id']}/interest", json={"note": "试销"}).json()
    seller.post(live_server.url + f"matches/{match['id']}/accept", json={})
    seen = buyer.get(live_server.url + f"matches/{match['id']}").json()
    assert seen["contacts"]["need_side"]["phone"]
    report = buyer.post(live_server.url + f"matches/{match['id']}/report", json={"outcome": "signed", "amount_10k": 6})
    assert report.json()["status"] == "signed"


def test_placements_sessions_and_the_ranking_export_over_http(live_server):
    coordinator = live_server.login("lx_coord")
    labor = live_server.login("ent_qhy").post(live_server.url + "needs", json={"kind": "labor", "details": {
        "posts": [{"title": "包装工", "count": 2}], "start_by": "2099-01-01"}}).json()
    placed = coordinator.post(live_server.url + f"needs/{labor['id']}/placements",
                              json={"post_index": 0, "placed": 2, "placed_on": local_today().isoformat()})
    assert placed.json()["status"] == "fulfilled"
    session = coordinator.post(live_server.url + "matching-sessions", json={
        "kind": "labor", "title": "专场招聘会", "held_on": local_today().isoformat(), "place": "人力资源市场",
        "need_ids": [labor["id"]]})
    assert session.status_code == 201
    ranking = coordinator.get(live_server.url + "institutions/ranking/export.xlsx")
    assert ranking.status_code == 200
    book = load_workbook(io.BytesIO(ranking.content))
    assert book["金融机构排名"]["B1"].value == "金融机构"
    figures = coordinator.get(live_server.url + "needs/figures", headers={"Accept-Encoding": "gzip"})
    assert figures.headers.get("Content-Encoding") == "gzip" and figures.json()["labor"]["posts_filled"] >= 2


def test_two_offers_accepted_at_once_leave_exactly_one_accepted(live_server):
    from concurrent.futures import ThreadPoolExecutor

    enterprise = live_server.login("ent_qhy")
    need = enterprise.post(live_server.url + "needs", json={"kind": "financing", "details": {
        "amount_10k": 30, "term_months": 6, "purpose": "备货", "guarantee": "credit"}}).json()
    offers = [live_server.login(bank).post(live_server.url + f"needs/{need['id']}/offers",
                                           json={"amount_10k": 30, "rate_pct": 4, "term_months": 6}).json()
              for bank in ("bank_lxns", "bank_gsyh")]
    sessions = [live_server.login("ent_qhy"), live_server.login("liaison_ma")]
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda pair: pair[0].post(live_server.url + f"offers/{pair[1]['id']}/accept", json={}),
                                zip(sessions, offers, strict=True)))
    assert sorted(a.status_code for a in answers) == [200, 409]
    final = enterprise.get(live_server.url + f"needs/{need['id']}").json()
    assert sorted(o["status"] for o in final["offers"]) == ["accepted", "closed"]
    assert [e["action"] for e in final["events"]].count("offer_accepted") == 1
