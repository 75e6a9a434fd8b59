"""Account administration is the admin's alone."""

import pytest

NEW_USER = {"username": "liaison_new", "password": "Strong#2026", "name": "新联络员", "role": "liaison"}


def test_admin_creates_an_account_that_can_sign_in(login_as, demo, client):
    admin = login_as("admin")
    response = admin.post("users", json={**NEW_USER, "region_id": demo.region_id("622921")})
    assert response.status_code == 201
    assert "password" not in response.get_json() and "password_hash" not in response.get_json()
    assert client.post("auth/login", json={"username": "liaison_new", "password": "Strong#2026"}).status_code == 200


def test_duplicate_usernames_conflict(login_as, demo):
    response = login_as("admin").post("users", json={**NEW_USER, "username": "liaison_ma",
                                                     "region_id": demo.region_id("622921")})
    assert response.status_code == 409


def test_a_liaison_account_needs_a_region(login_as):
    response = login_as("admin").post("users", json=NEW_USER)
    assert response.status_code == 422
    assert "region_id" in response.get_json()["errors"]


def test_weak_passwords_are_refused_for_new_accounts(login_as, demo):
    response = login_as("admin").post("users", json={**NEW_USER, "password": "12345678",
                                                     "region_id": demo.region_id("622921")})
    assert response.status_code == 422


@pytest.mark.parametrize("username", ["gs_coord", "lx_viewer", "liaison_ma", "ent_qhy"])
def test_only_admins_list_accounts(login_as, username):
    assert login_as(username).get("users").status_code == 403


def test_deactivating_an_account_ends_its_sessions(login_as, demo):
    session = login_as("liaison_li")
    admin = login_as("admin")
    user_id = demo.user_id("liaison_li")
    etag = admin.get(f"users/{user_id}").headers["ETag"]
    assert admin.patch(f"users/{user_id}", json={"is_active": False}, headers={"If-Match": etag}).status_code == 200
    assert session.get("me").status_code == 401


def test_patching_an_account_needs_if_match(login_as, demo):
    response = login_as("admin").patch(f"users/{demo.user_id('liaison_li')}", json={"name": "李娟"})
    assert response.status_code == 428
    assert response.get_json()["code"] == "precondition_required"
