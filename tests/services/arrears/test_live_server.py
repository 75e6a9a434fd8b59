"""清欠 the way a client (and an attacker) drives it: a real HTTP server with compression, requests, gzip ETags."""

from tests.services.arrears.helpers import QHY, month, today


def test_a_case_goes_from_filing_to_closing_over_real_http(live_server, demo):
    coord, owner = live_server.login("lxx_coord"), live_server.login("ent_qhy")
    url = live_server.url
    created = coord.post(url + "arrears", json={
        "creditor_enterprise_id": demo.enterprise_id(QHY), "debtor_name": "临夏县教育局", "debtor_kind": "government",
        "origin": "校舍维修工程款", "amount_10k": "2150.00", "disputed_10k": "100.00"},
        headers={"Idempotency-Key": "live-arrears-1"})
    assert created.status_code == 201
    case = created.json()
    assert case["supervised"] is True  # 2050.00 remaining, over 2000万元
    again = coord.post(url + "arrears", json={
        "creditor_enterprise_id": demo.enterprise_id(QHY), "debtor_name": "临夏县教育局", "debtor_kind": "government",
        "origin": "校舍维修工程款", "amount_10k": "2150.00", "disputed_10k": "100.00"},
        headers={"Idempotency-Key": "live-arrears-1"})
    assert again.headers["Idempotent-Replayed"] == "true" and again.json()["id"] == case["id"]

    read = coord.get(url + f"arrears/{case['id']}", headers={"Accept-Encoding": "gzip"})
    assert read.headers.get("Content-Encoding") == "gzip"
    received = read.headers["ETag"]  # whatever compression made of it, it is sent back as received
    months = [{"period": month(0), "amount_10k": "1025.00"}, {"period": month(1), "amount_10k": "1025.01"}]
    short = coord.put(url + f"arrears/{case['id']}/plan", json={"months": months}, headers={"If-Match": received})
    assert short.status_code == 422 and short.json()["difference_10k"] == "0.01"
    assert short.headers["Content-Type"].startswith("application/problem+json")
    months[1]["amount_10k"] = "1025.00"
    planned = coord.put(url + f"arrears/{case['id']}/plan", json={"months": months}, headers={"If-Match": received})
    assert planned.status_code == 200 and planned.json()["status"] == "repaying"
    stale = coord.put(url + f"arrears/{case['id']}/plan", json={"months": months}, headers={"If-Match": received})
    assert stale.status_code == 412

    for amount in ("1025.00", "1025.00"):
        assert coord.post(url + f"arrears/{case['id']}/repayments",
                          json={"paid_on": today(), "amount_10k": amount, "note": "国库支付"}).status_code == 201
    assert live_server.login("kl_coord").get(url + f"arrears/{case['id']}").status_code == 404
    assert coord.post(url + f"arrears/{case['id']}/confirm", json={}).status_code == 403
    closed = owner.post(url + f"arrears/{case['id']}/confirm", json={"comment": "款项已到账"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed" and closed.json()["supervised"] is False
    timeline = [e["action"] for e in closed.json()["events"]]
    assert timeline == ["create", "supervise", "plan", "repay", "repay", "confirm", "unsupervise"]


def test_hostile_amounts_and_ids_never_reach_the_database(live_server):
    coord = live_server.login("lxx_coord")
    url = live_server.url
    for body in ({"creditor_enterprise_id": 1, "debtor_name": "x", "debtor_kind": "soe", "amount_10k": 1e308},
                 {"creditor_enterprise_id": 1, "debtor_name": "x", "debtor_kind": "soe", "amount_10k": "NaN"},
                 {"creditor_enterprise_id": 1, "debtor_name": "x", "debtor_kind": "soe", "amount_10k": "9" * 400},
                 {"creditor_enterprise_id": 2**63, "debtor_name": "x", "debtor_kind": "soe", "amount_10k": "1"}):
        assert coord.post(url + "arrears", json=body).status_code == 422
    assert coord.get(url + "arrears/9223372036854775808").status_code == 404
    assert coord.get(url + "arrears?status=paid").status_code == 422
