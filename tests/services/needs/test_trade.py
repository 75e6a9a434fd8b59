"""产供销: the prefecture's catalogue without money or contacts, candidates nearest first with reasons, and
interest → accept → both see contacts → signed or no_deal, each step notifying the other side."""

import pytest

from tests.services.needs.helpers import FINANCING, need_id, notified, publish, trade


def test_the_catalogue_lists_open_supply_and_sales_of_the_prefecture_only(login_as, demo):
    lanzhou = publish(login_as("lz_coord"), "sales", trade("清真牛肉"), enterprise_id=demo.enterprise_id("黄河之滨"))
    items = login_as("ent_qhy").get("needs/catalogue?limit=100").get_json()["items"]
    assert items and {i["kind"] for i in items} <= {"supply", "sales"} and {i["status"] for i in items} == {"open"}
    assert lanzhou["id"] not in {i["id"] for i in items}
    assert all("contact" not in i and "details" not in i and "amount_10k" not in str(i) for i in items)


def test_the_catalogue_searches_products(login_as):
    items = login_as("ent_bs").get("needs/catalogue?q=牛奶").get_json()["items"]
    assert items and all("牛奶" in i["product"] for i in items)


@pytest.mark.parametrize("account", ["lx_viewer", "bank_lxns", "auditor"])
def test_the_catalogue_is_not_for_readers_or_institutions(login_as, account):
    assert login_as(account).get("needs/catalogue").status_code == 403


def test_candidates_come_nearest_first_with_their_reasons(login_as, demo):
    session = login_as("ent_qhy")
    same_county = publish(login_as("liaison_ma"), "sales", trade("清真牛肉干"),
                          enterprise_id=demo.enterprise_id("俊林"))
    other_county = publish(login_as("ent_bs"), "sales", trade("清真牛肉"))
    mine = publish(session, "supply", trade("清真牛肉"))
    body = session.get(f"needs/{mine['id']}/candidates?limit=100").get_json()
    ids = [c["need_id"] for c in body["items"]]
    assert ids.index(same_county["id"]) < ids.index(other_county["id"])
    first = next(c for c in body["items"] if c["need_id"] == same_county["id"])
    assert first["distance"] == "county" and any(r.startswith("产品关键词相符") for r in first["reasons"])
    assert "同县（临夏县）" in first["reasons"]
    tiers = [{"county": 0, "prefecture": 1, "province": 2}[c["distance"]] for c in body["items"]]
    assert tiers == sorted(tiers)


def test_candidates_include_registry_enterprises_by_name_and_industry(login_as, demo):
    mine = publish(login_as("ent_bs"), "supply", trade("清真食品"))
    items = login_as("ent_bs").get(f"needs/{mine['id']}/candidates?limit=100").get_json()["items"]
    registry = [c for c in items if c["source"] == "registry"]
    assert any(c["enterprise_name"].startswith("临夏县清河源") for c in registry)
    assert all(c["need_id"] is None for c in registry)


def test_candidates_are_only_for_supply_and_sales(login_as):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    assert login_as("ent_qhy").get(f"needs/{need['id']}/candidates").status_code == 409


def _interest(session, need, **body):
    response = session.post(f"needs/{need}/interest", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_interest_accept_and_signed_reveal_contacts_and_fulfil_both_needs(login_as, demo):
    sales = publish(login_as("ent_qhy"), "sales", trade("牛肉酱", quantity=2))
    supply = publish(login_as("ent_bs"), "supply", trade("牛肉酱", quantity=2))
    match = _interest(login_as("ent_bs"), sales["id"], own_need_id=supply["id"], note="想订货")
    assert match["status"] == "requested"
    assert match["contacts"]["need_side"] is None  # no contact before the other side accepts
    assert any("希望对接" in t for t in notified(demo, "ent_qhy", "match.requested"))
    accepted = login_as("ent_qhy").post(f"matches/{match['id']}/accept", json={}).get_json()
    assert accepted["status"] == "accepted" and accepted["contacts"]["interested_side"]["phone"]
    seen_by_buyer = login_as("ent_bs").get(f"matches/{match['id']}").get_json()
    assert seen_by_buyer["contacts"]["need_side"]["phone"] and "*" not in seen_by_buyer["contacts"]["need_side"]["phone"]
    assert any("已确认对接" in t for t in notified(demo, "ent_bs", "match.accepted"))
    signed = login_as("ent_bs").post(f"matches/{match['id']}/report", json={"outcome": "signed", "amount_10k": 12})
    assert signed.status_code == 200 and signed.get_json()["amount_10k"] == 12
    assert login_as("ent_qhy").get(f"needs/{sales['id']}").get_json()["status"] == "fulfilled"
    assert login_as("ent_bs").get(f"needs/{supply['id']}").get_json()["status"] == "fulfilled"
    assert "对接已签约：12 万元" in notified(demo, "ent_qhy", "match.signed")


def test_no_deal_reopens_the_needs(login_as):
    sales = publish(login_as("ent_qhy"), "sales", trade("羊杂"))
    match = _interest(login_as("ent_bs"), sales["id"])
    login_as("ent_qhy").post(f"matches/{match['id']}/accept", json={})
    assert login_as("ent_qhy").get(f"needs/{sales['id']}").get_json()["status"] == "matched"
    response = login_as("ent_qhy").post(f"matches/{match['id']}/report", json={"outcome": "no_deal"})
    assert response.status_code == 200 and response.get_json()["status"] == "no_deal"
    assert login_as("ent_qhy").get(f"needs/{sales['id']}").get_json()["status"] == "open"


def test_a_declined_interest_notifies_and_reveals_nothing(login_as, demo):
    sales = publish(login_as("ent_qhy"), "sales", trade("牛油"))
    match = _interest(login_as("ent_bs"), sales["id"])
    declined = login_as("ent_qhy").post(f"matches/{match['id']}/decline", json={}).get_json()
    assert declined["status"] == "declined"
    assert login_as("ent_bs").get(f"matches/{match['id']}").get_json()["contacts"]["need_side"] is None
    assert any("婉拒" in t for t in notified(demo, "ent_bs", "match.declined"))


def test_only_the_catalogue_side_accepts(login_as):
    sales = publish(login_as("ent_qhy"), "sales", trade("牛排"))
    match = _interest(login_as("ent_bs"), sales["id"])
    assert login_as("ent_bs").post(f"matches/{match['id']}/accept", json={}).status_code == 403
    assert login_as("lz_coord").post(f"matches/{match['id']}/accept", json={}).status_code == 404


def test_signed_needs_an_amount(login_as):
    sales = publish(login_as("ent_qhy"), "sales", trade("牛筋"))
    match = _interest(login_as("ent_bs"), sales["id"])
    login_as("ent_qhy").post(f"matches/{match['id']}/accept", json={})
    assert login_as("ent_bs").post(f"matches/{match['id']}/report", json={"outcome": "signed"}).status_code == 422


def test_reporting_before_acceptance_is_refused(login_as):
    sales = publish(login_as("ent_qhy"), "sales", trade("牛尾"))
    match = _interest(login_as("ent_bs"), sales["id"])
    response = login_as("ent_bs").post(f"matches/{match['id']}/report", json={"outcome": "no_deal"})
    assert response.status_code == 409 and response.get_json()["current_status"] == "requested"


def test_interest_is_expressed_once(login_as):
    sales = publish(login_as("ent_qhy"), "sales", trade("牛肚"))
    _interest(login_as("ent_bs"), sales["id"])
    assert login_as("ent_bs").post(f"needs/{sales['id']}/interest", json={}).status_code == 409


def test_no_interest_in_ones_own_need(login_as):
    sales = publish(login_as("ent_qhy"), "sales", trade("牛肝"))
    assert login_as("ent_qhy").post(f"needs/{sales['id']}/interest", json={}).status_code == 422


def test_no_interest_outside_the_prefecture(login_as, demo):
    lanzhou = publish(login_as("lz_coord"), "sales", trade("牛肺"), enterprise_id=demo.enterprise_id("黄河之滨"))
    assert login_as("ent_qhy").post(f"needs/{lanzhou['id']}/interest", json={}).status_code == 404


def test_the_own_need_must_be_the_other_side(login_as):
    sales = publish(login_as("ent_qhy"), "sales", trade("牛心"))
    wrong = publish(login_as("ent_bs"), "sales", trade("牛心"))
    response = login_as("ent_bs").post(f"needs/{sales['id']}/interest", json={"own_need_id": wrong["id"]})
    assert response.status_code == 422 and "own_need_id" in response.get_json()["errors"]


def test_a_liaison_expresses_interest_for_its_enterprise(login_as, demo):
    sales = publish(login_as("ent_bs"), "sales", trade("蔬菜礼盒"))
    match = _interest(login_as("liaison_ma"), sales["id"], enterprise_id=demo.enterprise_id("俊林"))
    assert match["enterprise_name"].startswith("临夏县俊林")


def test_the_demo_supply_need_is_matched_with_a_sales_need_and_signed(login_as, demo):
    supply = login_as("ent_bs").get(f"needs/{need_id(demo, enterprise='百盛超市', kind='supply')}").get_json()
    assert supply["status"] == "fulfilled"
    assert [m["status"] for m in supply["matches"]] == ["signed"]
    assert supply["matches"][0]["need"]["enterprise_name"].startswith("临夏县清河源")
