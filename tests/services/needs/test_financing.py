"""银企对接: institutions see open financing needs of their service regions without contacts, offer, and record the
credit; the enterprise accepts one offer, the others close with a notice; contacts go to the accepted one only."""

import pytest

from tests.services.needs.helpers import FINANCING, LABOR, need_id, notified, publish

OFFER = {"amount_10k": 100, "rate_pct": 4.35, "term_months": 12, "note": "信用贷"}


def _offer(session, need, **body):
    response = session.post(f"needs/{need}/offers", json={**OFFER, **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_an_institution_sees_open_financing_needs_of_its_regions_without_contacts(login_as, demo):
    items = login_as("bank_lxns").get("needs?limit=100").get_json()["items"]
    assert items and {n["kind"] for n in items} == {"financing"}
    once_accepted = need_id(demo, enterprise="八坊", kind="financing")  # its offer was accepted, then declined
    open_ones = [n for n in items if n["status"] == "open" and n["id"] != once_accepted]
    assert open_ones and all(n["contact"] is None for n in open_ones)
    assert all(n["details"]["amount_10k"] for n in items)
    assert all(n["region_name"] != "城关区" for n in items)


def test_an_institution_sees_no_financing_need_outside_its_regions(login_as, demo):
    lanzhou = publish(login_as("lz_coord"), "financing", FINANCING,
                      enterprise_id=demo.enterprise_id("金城智造"))
    assert login_as("bank_lxns").get(f"needs/{lanzhou['id']}").status_code == 404
    assert login_as("bank_gsyh").get(f"needs/{lanzhou['id']}").status_code == 200  # serves the whole province


def test_an_institution_sees_no_labor_or_trade_need(login_as, demo):
    labor = publish(login_as("ent_qhy"), "labor", LABOR)
    assert login_as("bank_lxns").get(f"needs/{labor['id']}").status_code == 404


def test_an_offer_notifies_the_enterprise(login_as, demo):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    offer = _offer(login_as("bank_lxns"), need["id"])
    assert offer["status"] == "open" and offer["institution_name"] == "临夏农商银行"
    assert offer["allowed_actions"] == []
    assert any("临夏农商银行提出授信意向" in t for t in notified(demo, "ent_qhy", "offer.made"))


def test_one_institution_offers_once_on_a_need(login_as):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    bank = login_as("bank_lxns")
    _offer(bank, need["id"])
    assert bank.post(f"needs/{need['id']}/offers", json=OFFER).status_code == 409


@pytest.mark.parametrize("account", ["ent_qhy", "liaison_ma", "lxx_coord"])
def test_only_institutions_make_offers(login_as, account):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    assert login_as(account).post(f"needs/{need['id']}/offers", json=OFFER).status_code == 403


def test_accepting_one_offer_closes_the_others_with_a_notice_and_reveals_contacts_to_it_alone(login_as, demo):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    chosen = _offer(login_as("bank_lxns"), need["id"])
    other = _offer(login_as("bank_gsyh"), need["id"], amount_10k=90)
    assert login_as("bank_lxns").get(f"needs/{need['id']}").get_json()["contact"] is None
    accepted = login_as("ent_qhy").post(f"offers/{chosen['id']}/accept", json={})
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    mine = login_as("bank_lxns").get(f"needs/{need['id']}").get_json()
    assert mine["status"] == "matched" and mine["contact"]["phone"] and "*" not in mine["contact"]["phone"]
    assert [o["id"] for o in mine["offers"]] == [chosen["id"]]  # an institution sees its own offers only
    theirs = login_as("bank_gsyh").get(f"needs/{need['id']}").get_json()
    assert theirs["contact"] is None and theirs["offers"][0]["status"] == "closed"
    assert theirs["offers"][0]["closed_reason"] == "企业已选择其他机构"
    assert "授信意向已关闭：企业已选择其他机构" in notified(demo, "bank_gsyh", "offer.closed")
    assert other["id"] != chosen["id"]


def test_an_accepted_offer_cannot_be_accepted_twice(login_as):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    offer = _offer(login_as("bank_lxns"), need["id"])
    assert login_as("ent_qhy").post(f"offers/{offer['id']}/accept", json={}).status_code == 200
    again = login_as("ent_qhy").post(f"offers/{offer['id']}/accept", json={})
    assert again.status_code == 409 and again.get_json()["current_status"] == "accepted"


def test_a_stale_if_match_on_accept_is_refused(login_as):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    offer = _offer(login_as("bank_lxns"), need["id"])
    stale = login_as("ent_qhy").post(f"offers/{offer['id']}/accept", json={},
                                     headers={"If-Match": f'"{offer["version"] + 5}"'})
    assert stale.status_code == 412


@pytest.mark.parametrize("account, status", [("bank_lxns", 403), ("lxx_coord", 403), ("ent_bs", 404)])
def test_only_the_enterprise_side_accepts_an_offer(login_as, account, status):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    offer = _offer(login_as("bank_lxns"), need["id"])
    assert login_as(account).post(f"offers/{offer['id']}/accept", json={}).status_code == status


def test_the_liaison_accepts_for_its_enterprise(login_as):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    offer = _offer(login_as("bank_lxns"), need["id"])
    assert login_as("liaison_ma").post(f"offers/{offer['id']}/accept", json={}).status_code == 200


def test_credit_granted_fulfils_the_need_and_notifies_the_enterprise(login_as, demo):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    offer = _offer(login_as("bank_lxns"), need["id"])
    login_as("ent_qhy").post(f"offers/{offer['id']}/accept", json={})
    granted = login_as("bank_lxns").post(f"offers/{offer['id']}/outcome", json={
        "granted": True, "amount_10k": 100, "granted_on": "2026-11-30"})
    assert granted.status_code == 200 and granted.get_json()["status"] == "granted"
    assert login_as("ent_qhy").get(f"needs/{need['id']}").get_json()["status"] == "fulfilled"
    assert "已放款 100 万元" in notified(demo, "ent_qhy", "offer.outcome")


def test_credit_declined_needs_a_reason_and_reopens_the_need(login_as):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    offer = _offer(login_as("bank_lxns"), need["id"])
    login_as("ent_qhy").post(f"offers/{offer['id']}/accept", json={})
    bank = login_as("bank_lxns")
    assert bank.post(f"offers/{offer['id']}/outcome", json={"granted": False}).status_code == 422
    declined = bank.post(f"offers/{offer['id']}/outcome", json={"granted": False, "reason": "流水不足"})
    assert declined.status_code == 200 and declined.get_json()["decline_reason"] == "流水不足"
    assert login_as("ent_qhy").get(f"needs/{need['id']}").get_json()["status"] == "open"


def test_granting_needs_amount_and_date(login_as):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    offer = _offer(login_as("bank_lxns"), need["id"])
    login_as("ent_qhy").post(f"offers/{offer['id']}/accept", json={})
    response = login_as("bank_lxns").post(f"offers/{offer['id']}/outcome", json={"granted": True})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"amount_10k", "granted_on"}


def test_an_outcome_before_acceptance_is_refused(login_as):
    need = publish(login_as("ent_qhy"), "financing", FINANCING)
    offer = _offer(login_as("bank_lxns"), need["id"])
    response = login_as("bank_lxns").post(f"offers/{offer['id']}/outcome", json={"granted": False, "reason": "x"})
    assert response.status_code == 409


def test_another_institution_cannot_see_or_decide_an_offer(login_as, demo):
    accepted = need_id(demo, enterprise="清河源", kind="financing", status="matched")
    offer = next(o for o in login_as("bank_lxns").get(f"needs/{accepted}").get_json()["offers"]
                 if o["status"] == "accepted")
    response = login_as("guarantee_lx").post(f"offers/{offer['id']}/outcome", json={"granted": False, "reason": "x"})
    assert response.status_code == 404


def test_the_demo_financing_need_has_two_offers_one_granted(login_as, demo):
    need = login_as("lx_coord").get(f"needs/{need_id(demo, enterprise='俊林', kind='financing')}").get_json()
    assert sorted(o["status"] for o in need["offers"]) == ["closed", "granted"]
    assert need["status"] == "fulfilled" and need["problem_id"]
