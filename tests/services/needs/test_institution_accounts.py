"""Institution users: bound to one institution by the admin; /me names it."""

import pytest

NEW = {"username": "bank_new", "password": "Strong#2026", "name": "新银行用户", "role": "institution"}


def test_the_admin_binds_an_institution_user(login_as):
    response = login_as("admin").post("users", json={**NEW, "institution_id": 1})
    assert response.status_code == 201
    assert response.get_json()["institution_name"] == "临夏农商银行"
    assert login_as("bank_new", "Strong#2026").get("me").get_json()["institution"]["name"] == "临夏农商银行"


@pytest.mark.parametrize("body, field", [({}, "institution_id"), ({"institution_id": 99999}, "institution_id"),
                                         ({"role": "viewer", "region_id": 1, "institution_id": 1}, "institution_id")])
def test_a_binding_that_does_not_fit_the_role_is_refused(login_as, body, field):
    response = login_as("admin").post("users", json={**NEW, **body})
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_the_demo_bank_user_is_bound_to_the_prefectures_rural_bank(login_as):
    me = login_as("bank_lxns").get("me").get_json()
    assert (me["role"], me["institution"]["name"]) == ("institution", "临夏农商银行")


def test_the_institutions_list_names_their_service_regions(login_as):
    items = login_as("ent_qhy").get("institutions").get_json()["items"]
    assert {"name": "临夏农商银行", "region_names": ["临夏回族自治州"]}.items() <= next(
        i for i in items if i["name"] == "临夏农商银行").items()
