"""清欠 over HTTP: filing, scope (foreign → 404, departments and other roles see none), the plan, repayments, 销号,
automatic 督办, events, audit, idempotency and If-Match."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from services.db import db
from services.models import ArrearsCase, AuditLog, Notification, User
from tests.services.arrears.helpers import BAISHENG, QHY, case_body, etag, file_case, month, put_plan, repay, today


@pytest.fixture
def qhy(demo):
    return demo.enterprise_id(QHY)


@pytest.fixture
def coord(login_as):
    return login_as("lxx_coord")


def test_a_liaison_files_a_case_for_an_assigned_enterprise(login_as, qhy):
    case = file_case(login_as("liaison_ma"), qhy, amount_10k="300.50", disputed_10k="0.50")
    assert case["status"] == "open" and case["region_name"] == "临夏县" and QHY in case["creditor_name"]
    assert (case["amount_10k"], case["disputed_10k"], case["undisputed_10k"]) == ("300.50", "0.50", "300.00")
    assert (case["repaid_10k"], case["remaining_10k"]) == ("0.00", "300.00")
    assert case["supervised"] is False and case["events"][0]["action"] == "create"


def test_the_creditors_own_user_files_a_case(login_as, qhy):
    assert file_case(login_as("ent_qhy"), qhy)["status"] == "open"


def test_an_enterprise_user_cannot_file_for_another_enterprise(login_as, demo):
    response = login_as("ent_qhy").post("arrears", json=case_body(demo.enterprise_id(BAISHENG)))
    assert response.status_code == 404


def test_a_viewer_cannot_file_a_case(login_as, qhy):
    assert login_as("lx_viewer").post("arrears", json=case_body(qhy)).status_code == 403


def test_a_coordinator_of_another_region_gets_404_for_the_creditor(login_as, qhy):
    response = login_as("lz_coord").post("arrears", json=case_body(qhy))
    assert response.status_code == 404 and "creditor_enterprise_id" in response.get_json()["errors"]


@pytest.mark.parametrize("amount", [1200.5, "12.345", "-5", "1e3", "", "０.５", None])
def test_amounts_must_be_decimal_strings(coord, qhy, amount):
    response = coord.post("arrears", json=case_body(qhy, amount_10k=amount))
    assert response.status_code == 422 and "amount_10k" in response.get_json()["errors"]


def test_disputed_cannot_exceed_the_amount(coord, qhy):
    response = coord.post("arrears", json=case_body(qhy, amount_10k="10", disputed_10k="10.01"))
    assert response.status_code == 422 and "disputed_10k" in response.get_json()["errors"]


def test_only_a_coordinator_may_flag_a_case_complex(login_as, qhy):
    assert login_as("liaison_ma").post("arrears", json=case_body(qhy, complex=True)).status_code == 403


def test_foreign_cases_do_not_exist_for_other_counties_and_enterprises(login_as, coord, qhy):
    case = file_case(coord, qhy)
    for username in ("kl_coord", "lz_coord", "liaison_li", "ent_bs", "auditor"):
        assert login_as(username).get(f"arrears/{case['id']}").status_code == 404, username
        assert case["id"] not in [c["id"] for c in login_as(username).get("arrears?limit=100").get_json()["items"]]
    for username in ("lx_coord", "gs_coord", "lx_viewer", "admin", "liaison_ma", "ent_qhy"):
        assert login_as(username).get(f"arrears/{case['id']}").status_code == 200, username


def test_a_role_the_scope_does_not_name_sees_no_case(app, coord, qhy):
    """Departments (and any role added later) are not in the allow-list: they see nothing."""
    from services.actors import Actor
    from services.arrears import cases

    file_case(coord, qhy)
    with app.app_context():
        department = Actor(user_id=999, role="department", region_id=1, region_path="/", department_id=1)
        assert db.session.scalars(cases.list_cases(actor=department)).all() == []


def test_the_list_filters_by_status_supervision_kind_region_and_text(coord, demo):
    items = coord.get("arrears?supervised=true&limit=100").get_json()["items"]
    assert items and all(c["supervised"] for c in items)
    items = coord.get("arrears?status=closed").get_json()["items"]
    assert [c["status"] for c in items] == ["closed"]
    items = coord.get("arrears?debtor_kind=soe,institution").get_json()["items"]
    assert items and {c["debtor_kind"] for c in items} <= {"soe", "institution"}
    assert coord.get("arrears?q=住房和城乡建设局").get_json()["items"][0]["debtor_name"] == "临夏县住房和城乡建设局"
    kangle = demo.region_id("622922")
    assert coord.get(f"arrears?region={kangle}").get_json()["items"] == []


def test_a_plan_that_does_not_add_up_is_422_naming_the_difference(coord, qhy):
    case = file_case(coord, qhy, amount_10k="300.00")
    response = put_plan(coord, case, [(0, "100.00"), (1, "100.00"), (2, "99.99")])
    body = response.get_json()
    assert response.status_code == 422
    assert body["difference_10k"] == "-0.01" and "少 0.01 万元" in body["detail"] and "months" in body["errors"]
    assert coord.get(f"arrears/{case['id']}").get_json()["plan"] == []


def test_a_plan_that_adds_up_starts_the_repayment(coord, qhy):
    case = file_case(coord, qhy, amount_10k="300.00")
    response = put_plan(coord, case, [(1, "100.00"), (0, "150.00"), (2, "50.00")])
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "repaying"
    assert [m["period"] for m in body["plan"]] == [month(0), month(1), month(2)]
    assert body["events"][-1]["action"] == "plan"


def test_a_plan_can_be_replaced_with_the_same_months(coord, qhy):
    case = file_case(coord, qhy, amount_10k="300.00")
    case = put_plan(coord, case, [(0, "150.00"), (1, "150.00")]).get_json()
    case = put_plan(coord, case, [(0, "100.00"), (1, "200.00")]).get_json()
    assert [m["amount_10k"] for m in case["plan"]] == ["100.00", "200.00"]


def test_a_plan_with_a_month_twice_is_422(coord, qhy):
    case = file_case(coord, qhy, amount_10k="300.00")
    assert put_plan(coord, case, [(0, "150.00"), (0, "150.00")]).status_code == 422


def test_the_plan_needs_if_match(coord, qhy):
    case = file_case(coord, qhy)
    body = {"months": [{"period": month(0), "amount_10k": "300.00"}]}
    assert coord.put(f"arrears/{case['id']}/plan", json=body).status_code == 428
    assert coord.put(f"arrears/{case['id']}/plan", json=body, headers={"If-Match": '"99"'}).status_code == 412


def test_the_creditor_may_not_set_the_plan(login_as, coord, qhy):
    case = file_case(coord, qhy)
    assert put_plan(login_as("ent_qhy"), case, [(0, "300.00")]).status_code == 403


def test_repayments_clear_the_case_and_the_creditor_confirms_it(login_as, coord, qhy):
    case = file_case(coord, qhy, amount_10k="300.00")
    put_plan(coord, case, [(0, "300.00")])
    assert repay(coord, case["id"], "120.00").get_json()["remaining_10k"] == "180.00"
    body = repay(login_as("liaison_ma"), case["id"], "180.00").get_json()
    assert body["status"] == "cleared" and body["remaining_10k"] == "0.00" and body["allowed_actions"] == ["confirm"]
    assert coord.get(f"arrears/{case['id']}").get_json()["allowed_actions"] == []
    owner = login_as("ent_qhy")
    assert owner.get(f"arrears/{case['id']}").get_json()["allowed_actions"] == ["confirm"]
    body = owner.post(f"arrears/{case['id']}/confirm", json={"comment": "已全部到账"}).get_json()
    assert body["status"] == "closed" and body["confirm_method"] == "self" and body["closed_at"]


def test_a_repayment_over_the_remaining_amount_is_422(coord, qhy):
    case = file_case(coord, qhy, amount_10k="300.00")
    response = repay(coord, case["id"], "300.01")
    assert response.status_code == 422 and "amount_10k" in response.get_json()["errors"]


def test_a_repayment_dated_in_the_future_is_422(coord, qhy):
    case = file_case(coord, qhy)
    assert repay(coord, case["id"], "1.00", paid_on="2999-01-01").status_code == 422


def test_a_coordinator_cannot_close_a_case_for_the_creditor(coord, qhy):
    case = file_case(coord, qhy, amount_10k="10.00")
    repay(coord, case["id"], "10.00")
    assert coord.post(f"arrears/{case['id']}/confirm", json={}).status_code == 403


def test_confirmation_before_clearing_is_409_with_the_current_status(login_as, coord, qhy):
    case = file_case(coord, qhy)
    response = login_as("ent_qhy").post(f"arrears/{case['id']}/confirm", json={})
    body = response.get_json()
    assert response.status_code == 409 and body["current_status"] == "open" and "repay" in body["allowed_actions"]


def test_a_liaison_confirms_only_by_recording_a_follow_up(login_as, coord, qhy):
    case = file_case(coord, qhy, amount_10k="10.00")
    repay(coord, case["id"], "10.00")
    liaison = login_as("liaison_ma")
    assert liaison.post(f"arrears/{case['id']}/confirm", json={"method": "self"}).status_code == 422
    body = liaison.post(f"arrears/{case['id']}/confirm", json={"method": "visit", "comment": "上门回访"}).get_json()
    assert body["status"] == "closed" and body["confirm_method"] == "visit"


def test_a_closed_case_takes_no_more_repayments(login_as, coord, qhy):
    case = file_case(coord, qhy, amount_10k="10.00")
    repay(coord, case["id"], "10.00")
    login_as("ent_qhy").post(f"arrears/{case['id']}/confirm", json={})
    assert repay(coord, case["id"], "1.00").status_code == 409


def test_a_case_over_the_threshold_is_supervised_by_the_prefecture(app, coord, qhy, demo):
    case = file_case(coord, qhy, amount_10k="2500.00", disputed_10k="499.99")
    assert case["supervised"] is True and case["supervising_region_name"] == "临夏回族自治州"
    event = [e for e in case["events"] if e["action"] == "supervise"][0]
    assert event["actor"] is None and event["data"]["reason"] == "amount"
    with app.app_context():
        lx_coord = db.session.scalar(select(User.id).where(User.username == "lx_coord"))
        notes = db.session.scalars(select(Notification).where(Notification.kind == "arrears.supervised",
                                                              Notification.object_id == case["id"])).all()
        assert lx_coord in {n.user_id for n in notes}


def test_a_case_at_the_threshold_is_not_supervised(coord, qhy):
    assert file_case(coord, qhy, amount_10k="2100.00", disputed_10k="100.00")["supervised"] is False


def test_the_threshold_is_configuration(make_app, qhy):
    from tests.conftest import login

    app = make_app(ARREARS_SUPERVISION_THRESHOLD_10K=Decimal("100"))
    api = login(app.test_client(), "lxx_coord")
    assert file_case(api, qhy, amount_10k="100.01")["supervised"] is True


def test_a_complex_case_is_supervised_whatever_its_amount(coord, qhy):
    case = file_case(coord, qhy, amount_10k="5.00")
    response = coord.patch(f"arrears/{case['id']}", json={"complex": True}, headers=etag(case))
    assert response.status_code == 200 and response.get_json()["supervised"] is True


def test_supervision_stays_while_the_amount_falls_until_closed(login_as, coord, qhy):
    case = file_case(coord, qhy, amount_10k="2400.00")
    put_plan(coord, case, [(0, "2400.00")])
    assert repay(coord, case["id"], "1000.00").get_json()["supervised"] is True
    repay(coord, case["id"], "1400.00")
    body = login_as("ent_qhy").post(f"arrears/{case['id']}/confirm", json={}).get_json()
    assert body["supervised"] is False and body["events"][-1]["action"] == "unsupervise"


def test_a_changed_undisputed_amount_voids_the_plan(coord, qhy):
    case = file_case(coord, qhy, amount_10k="300.00")
    case = put_plan(coord, case, [(0, "300.00")]).get_json()
    body = coord.patch(f"arrears/{case['id']}", json={"disputed_10k": "50.00"}, headers=etag(case)).get_json()
    assert body["plan"] == [] and body["status"] == "open" and body["undisputed_10k"] == "250.00"
    assert body["events"][-1]["data"]["plan_discarded"] is True


def test_the_undisputed_amount_cannot_fall_below_what_was_repaid(coord, qhy):
    case = file_case(coord, qhy, amount_10k="300.00")
    case = repay(coord, case["id"], "200.00").get_json()
    response = coord.patch(f"arrears/{case['id']}", json={"disputed_10k": "150.00"}, headers=etag(case))
    assert response.status_code == 422


def test_patch_needs_a_current_if_match(coord, qhy):
    case = file_case(coord, qhy)
    assert coord.patch(f"arrears/{case['id']}", json={"origin": "改"}).status_code == 428
    stale = {"If-Match": f'"{case["version"] - 1}"'}
    assert coord.patch(f"arrears/{case['id']}", json={"origin": "改"}, headers=stale).status_code == 412


def test_the_etag_is_the_version_and_if_none_match_is_304(coord, qhy):
    case = file_case(coord, qhy)
    response = coord.get(f"arrears/{case['id']}")
    assert response.headers["ETag"] == f'"{case["version"]}"'
    assert coord.get(f"arrears/{case['id']}", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_a_stale_if_match_on_a_repayment_is_412(coord, qhy):
    case = file_case(coord, qhy)
    repay(coord, case["id"], "1.00")
    response = coord.post(f"arrears/{case['id']}/repayments", json={"paid_on": today(), "amount_10k": "1.00"},
                          headers=etag(case))
    assert response.status_code == 412


def test_a_repeated_repayment_with_its_key_is_recorded_once(coord, qhy):
    case = file_case(coord, qhy)
    body = {"paid_on": today(), "amount_10k": "10.00", "note": "凭证 001"}
    headers = {"Idempotency-Key": "repay-qhy-001"}
    first = coord.post(f"arrears/{case['id']}/repayments", json=body, headers=headers)
    second = coord.post(f"arrears/{case['id']}/repayments", json=body, headers=headers)
    assert second.headers.get("Idempotent-Replayed") == "true" and second.get_json() == first.get_json()
    assert len(coord.get(f"arrears/{case['id']}").get_json()["repayments"]) == 1
    other = coord.post(f"arrears/{case['id']}/repayments", json={**body, "amount_10k": "11.00"}, headers=headers)
    assert other.status_code == 422 and other.get_json()["code"] == "idempotency_key_reused"


def test_every_change_writes_an_audit_row(app, coord, qhy):
    case = file_case(coord, qhy, amount_10k="10.00")
    put_plan(coord, case, [(0, "10.00")])
    repay(coord, case["id"], "10.00")
    with app.app_context():
        actions = db.session.scalars(select(AuditLog.action).where(AuditLog.object_type == "arrears_case",
                                                                   AuditLog.object_id == str(case["id"]))).all()
    assert {"arrears.created", "arrears.planned", "arrears.repaid"} <= set(actions)


def test_amounts_are_exact_decimals_in_the_database(app, coord, qhy):
    case = file_case(coord, qhy, amount_10k="0.30")
    repay(coord, case["id"], "0.10")
    body = repay(coord, case["id"], "0.20").get_json()
    assert body["status"] == "cleared" and body["remaining_10k"] == "0.00"
    with app.app_context():
        stored = db.session.get(ArrearsCase, case["id"])
        assert stored.repaid_10k == Decimal("0.30") and isinstance(stored.repaid_10k, Decimal)


def test_the_enums_name_every_arrears_value(client):
    enums = client.get("meta/enums").get_json()
    assert enums["arrears_status"]["closed"] == "已销号" and enums["arrears_action"]["confirm"] == "确认销号"
    assert set(enums["debtor_kind"]) == {"government", "institution", "soe", "large_enterprise"}


@pytest.mark.parametrize("step", ["patch", "plan", "repay", "confirm"])
def test_every_change_is_one_version_step(login_as, coord, qhy, step):
    case = file_case(coord, qhy, amount_10k="2500.00")
    if step == "patch":
        after = coord.patch(f"arrears/{case['id']}", json={"disputed_10k": "600.00", "complex": True}, headers=etag(case))
    elif step == "plan":
        after = put_plan(coord, case, [(0, "2500.00")])
    elif step == "repay":
        after = repay(coord, case["id"], "2500.00")
    else:
        case = repay(coord, case["id"], "2500.00").get_json()
        after = login_as("ent_qhy").post(f"arrears/{case['id']}/confirm", json={})
    assert after.status_code in (200, 201) and after.get_json()["version"] == case["version"] + 1
