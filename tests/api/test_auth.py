"""Login, lockout, rate limit, refresh rotation, logout, password change."""

import itertools

import pytest

from tests.conftest import PASSWORD, ApiClient, login


def _login(client, username="lxx_coord", password=PASSWORD):
    return client.post("auth/login", json={"username": username, "password": password})


def test_login_returns_tokens_and_the_user(client):
    response = _login(client)
    body = response.get_json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 15 * 60
    assert body["user"]["username"] == "lxx_coord"
    assert body["access_token"] and body["refresh_token"]


def test_wrong_password_is_invalid_credentials(client):
    response = _login(client, password="Wrong@2026")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "invalid_credentials"


def test_unknown_user_answers_like_a_wrong_password(client):
    unknown = _login(client, username="nobody").get_json()
    wrong = _login(client, password="Wrong@2026").get_json()
    assert unknown == wrong


def test_five_failures_in_a_row_lock_the_account(client):
    codes = [_login(client, password="Wrong@2026").status_code for _ in range(5)]
    assert codes == [401, 401, 401, 401, 423]
    locked = _login(client)
    assert locked.status_code == 423
    assert locked.get_json()["code"] == "account_locked"
    # Retry-After belongs to 429 and 503 only (issue 11); the body says until when the lock lasts.
    assert locked.get_json()["locked_until"].endswith("+08:00")
    assert "Retry-After" not in locked.headers


def test_a_success_resets_the_failure_count(client):
    for _ in range(4):
        _login(client, password="Wrong@2026")
    assert _login(client).status_code == 200
    for _ in range(4):
        assert _login(client, password="Wrong@2026").status_code == 401
    assert _login(client).status_code == 200


def test_admin_unlocks_a_locked_account(client, login_as, demo):
    for _ in range(5):
        _login(client, password="Wrong@2026")
    admin = login_as("admin")
    assert admin.post(f"users/{demo.user_id('lxx_coord')}/unlock").status_code == 200
    assert _login(client).status_code == 200


def test_login_is_rate_limited_per_address(make_app):
    app = make_app(LOGIN_RATE_LIMIT="10 per minute")
    client = ApiClient(app.test_client())
    codes = [_login(client, password="Wrong@2026").status_code for _ in range(11)]
    assert codes[-1] == 429
    response = _login(client)
    assert response.status_code == 429
    assert response.get_json()["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0


def test_missing_fields_are_a_validation_error(client):
    response = client.post("auth/login", json={"username": "lxx_coord"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"password": ["必填字段"]}


def test_requests_without_a_token_are_unauthorized(client):
    response = client.get("enterprises")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "unauthorized"


@pytest.mark.parametrize("header", ["Bearer", "Bearer not.a.jwt", "Basic abc", "Bearer " + "a" * 5000, "Token x"])
def test_malformed_authorization_headers_are_401_problems(client, header):
    response = client.get("enterprises", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"


def test_refresh_rotates_the_pair_and_kills_the_used_token(app):
    session = login(app.test_client(), "liaison_ma")
    refresh = ApiClient(app.test_client(), session.refresh_token)
    first = refresh.post("auth/refresh")
    assert first.status_code == 200
    assert first.get_json()["refresh_token"] != session.refresh_token
    rotated = ApiClient(app.test_client(), first.get_json()["refresh_token"])
    assert rotated.post("auth/refresh").status_code == 200


def test_reusing_a_rotated_refresh_token_ends_the_whole_family(app):
    session = login(app.test_client(), "liaison_ma")
    stolen = ApiClient(app.test_client(), session.refresh_token)
    fresh = stolen.post("auth/refresh").get_json()
    assert stolen.post("auth/refresh").status_code == 401  # the thief (or the owner) replays the old one
    assert ApiClient(app.test_client(), fresh["refresh_token"]).post("auth/refresh").status_code == 401
    assert ApiClient(app.test_client(), fresh["access_token"]).get("me").status_code == 401


def test_logout_without_a_body_ends_the_refresh_token_too(app):
    session = login(app.test_client(), "liaison_ma")
    assert session.post("auth/logout", json={}).status_code == 204
    assert ApiClient(app.test_client(), session.refresh_token).post("auth/refresh").status_code == 401


def test_logout_leaves_the_users_other_sessions_alone(app):
    phone, desk = login(app.test_client(), "liaison_ma"), login(app.test_client(), "liaison_ma")
    phone.post("auth/logout", json={})
    assert desk.get("me").status_code == 200


def test_an_access_token_cannot_refresh(login_as):
    assert login_as("liaison_ma").post("auth/refresh").status_code == 401


def test_a_refresh_token_cannot_call_the_api(app):
    session = login(app.test_client(), "liaison_ma")
    assert ApiClient(app.test_client(), session.refresh_token).get("me").status_code == 401


def test_logout_revokes_the_access_and_refresh_tokens(app):
    session = login(app.test_client(), "liaison_ma")
    assert session.post("auth/logout", json={"refresh_token": session.refresh_token}).status_code == 204
    assert session.get("me").status_code == 401
    assert ApiClient(app.test_client(), session.refresh_token).post("auth/refresh").status_code == 401


def test_logout_refuses_someone_elses_refresh_token(app):
    mine = login(app.test_client(), "liaison_ma")
    theirs = login(app.test_client(), "liaison_li")
    response = mine.post("auth/logout", json={"refresh_token": theirs.refresh_token})
    assert response.status_code == 401
    assert ApiClient(app.test_client(), theirs.refresh_token).post("auth/refresh").status_code == 200


def test_password_change_enforces_the_policy(login_as):
    session = login_as("liaison_ma")
    response = session.post("me/password", json={"old_password": PASSWORD, "new_password": "alllowercase"})
    assert response.status_code == 422
    assert "new_password" in response.get_json()["errors"]


def test_password_change_needs_the_old_password(login_as):
    response = login_as("liaison_ma").post("me/password", json={"old_password": "Nope@2026x",
                                                                 "new_password": "Better#2027"})
    assert response.status_code == 422
    assert "old_password" in response.get_json()["errors"]


def test_password_change_signs_out_other_sessions_but_not_the_callers(app):
    other = login(app.test_client(), "liaison_ma")
    me = login(app.test_client(), "liaison_ma")
    assert me.post("me/password", json={"old_password": PASSWORD, "new_password": "Better#2027"}).status_code == 204
    assert me.get("me").status_code == 200
    assert other.get("me").status_code == 401
    assert ApiClient(app.test_client(), other.refresh_token).post("auth/refresh").status_code == 401
    assert login(app.test_client(), "liaison_ma", "Better#2027").get("me").status_code == 200


def test_the_last_passwords_cannot_be_reused(login_as):
    session = login_as("liaison_ma")
    assert session.post("me/password", json={"old_password": PASSWORD, "new_password": "Better#2027"}).status_code == 204
    response = session.post("me/password", json={"old_password": "Better#2027", "new_password": PASSWORD})
    assert response.status_code == 422


def test_me_tells_the_binding_of_an_enterprise_user(login_as):
    body = login_as("ent_qhy").get("me").get_json()
    assert body["role"] == "enterprise"
    assert "清河源" in body["enterprise"]["name"]


def test_five_changes_later_only_the_sixth_last_password_is_free_again(login_as):
    session = login_as("liaison_ma")
    chain = [PASSWORD, *(f"Better#{2027 + n}" for n in range(5))]
    for old, new in itertools.pairwise(chain):
        assert session.post("me/password", json={"old_password": old, "new_password": new}).status_code == 204
    reused = session.post("me/password", json={"old_password": chain[-1], "new_password": chain[1]})
    assert reused.status_code == 422
    assert "new_password" in reused.get_json()["errors"]
    assert session.post("me/password", json={"old_password": chain[-1], "new_password": PASSWORD}).status_code == 204


@pytest.mark.parametrize("step", ["login", "refresh"])
def test_signing_in_and_refreshing_are_one_commit_each(app, step):
    from sqlalchemy import event

    from services.db import db

    session = login(app.test_client(), "liaison_ma")
    with app.app_context():
        engine = db.engine
    commits = []
    listener = lambda _conn: commits.append(1)  # noqa: E731
    event.listen(engine, "commit", listener)
    try:
        if step == "login":
            response = ApiClient(app.test_client()).post("auth/login", json={"username": "liaison_ma", "password": PASSWORD})
        else:
            response = ApiClient(app.test_client(), session.refresh_token).post("auth/refresh")
    finally:
        event.remove(engine, "commit", listener)
    assert response.status_code == 200
    assert len(commits) == 1
