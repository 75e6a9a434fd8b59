"""A token's bytes are verified once per process (api/extensions.py VerifyingOnceJWTManager): what that
remembers never outlives the token's expiry, another app's key, a revocation or a disabled account."""

from datetime import timedelta

import jwt as pyjwt
import pytest
from flask_jwt_extended import create_access_token

from tests.conftest import ApiClient, login


@pytest.fixture
def decodes(monkeypatch):
    """How many times PyJWT decodes a token (verified or not)."""
    calls = []
    real = pyjwt.api_jws.PyJWS._load

    def counting(self, token):
        calls.append(token)
        return real(self, token)

    monkeypatch.setattr(pyjwt.api_jws.PyJWS, "_load", counting)
    return calls


def test_a_token_already_verified_is_not_decoded_again(login_as, decodes):
    coordinator = login_as("lxx_coord")
    assert coordinator.get("me").status_code == 200
    decodes.clear()
    assert coordinator.get("problems?limit=5").status_code == 200
    assert coordinator.get("me").status_code == 200
    # What is left is the one header read flask-jwt-extended makes beside verification, one per request.
    assert len(decodes) == 2


def test_a_token_never_seen_is_verified_in_full(login_as, decodes):
    coordinator = login_as("lxx_coord")
    decodes.clear()
    assert coordinator.get("me").status_code == 200
    assert len(decodes) > 2


def test_a_verified_token_is_refused_once_it_expires(make_app, caplog):
    # Issued 10 s past its expiry: accepted while the app allows a minute of clock skew, then the skew is
    # taken away and the same bytes, remembered as verified, are refused as expired.
    app = make_app(JWT_DECODE_LEEWAY=60)
    client = login(app.test_client(), "lxx_coord")
    with app.test_request_context():
        from flask_jwt_extended import decode_token

        claims = decode_token(client.token)
        stale = create_access_token(identity=claims["sub"], expires_delta=timedelta(seconds=-10),
                                    additional_claims={"sid": claims["sid"], "iatp": claims["iatp"],
                                                       "role": claims.get("role")})
    late = ApiClient(app.test_client(), stale)
    assert late.get("me").status_code == 200
    app.config["JWT_DECODE_LEEWAY"] = 0
    caplog.clear()
    assert late.get("me").status_code == 401
    assert "token refused: ExpiredSignatureError" in caplog.text


def test_a_verified_token_is_refused_by_its_next_request_after_logout(login_as):
    coordinator = login_as("lxx_coord")
    for _ in range(3):
        assert coordinator.get("problems?limit=5").status_code == 200
    assert coordinator.post("auth/logout").status_code == 204
    refused = coordinator.get("problems?limit=5")
    assert refused.status_code == 401


def test_a_verified_token_of_a_disabled_account_is_refused(login_as):
    officer = login_as("liaison_li")
    assert officer.get("me").status_code == 200
    admin = login_as("admin")
    user_id = officer.user["id"]
    assert admin.patch(f"users/{user_id}", json={"is_active": False},
                       headers={"If-Match": admin.get(f"users/{user_id}").headers["ETag"]}).status_code == 200
    assert officer.get("me").status_code == 401


def test_a_token_verified_by_one_app_is_not_accepted_by_an_app_with_another_key(make_app, caplog):
    ours = make_app(JWT_SECRET_KEY="k" * 64)
    theirs = make_app(JWT_SECRET_KEY="x" * 64)
    client = login(ours.test_client(), "lxx_coord")
    assert client.get("me").status_code == 200
    foreign = ApiClient(theirs.test_client(), client.token)
    caplog.clear()
    assert foreign.get("me").status_code == 401
    assert "token refused: InvalidSignatureError" in caplog.text


def test_a_full_cache_starts_afresh_and_still_verifies(login_as, monkeypatch):
    from api.extensions import VerifyingOnceJWTManager

    monkeypatch.setattr(VerifyingOnceJWTManager, "MAX_TOKENS", 2)
    clients = [login_as(name) for name in ("lxx_coord", "lx_coord", "gs_coord")]
    for _ in range(2):
        for client in clients:
            assert client.get("me").status_code == 200


def test_through_a_real_server_logout_ends_a_token_used_many_times(live_server):
    session = live_server.login("lxx_coord")
    for _ in range(5):
        assert session.get(live_server.url + "problems?limit=5").status_code == 200
    assert session.post(live_server.url + "auth/logout").status_code == 204
    refused = session.get(live_server.url + "problems?limit=5")
    assert refused.status_code == 401
    assert refused.headers["Content-Type"].startswith("application/problem+json")


# --- the refusal budget of an address ---------------------------------------------------------------

def _flood(raw, n):
    return [raw.get("/api/v1/me", headers={"Authorization": "Bearer forged"}).status_code for _ in range(n)]


def test_an_officer_in_session_is_not_locked_out_by_a_flood_of_forged_tokens_from_the_same_address(make_app):
    app = make_app(ANONYMOUS_RATE_LIMIT="3 per minute")
    officer = login(app.test_client(), "lxx_coord")
    assert officer.get("me").status_code == 200
    assert _flood(app.test_client(), 4) == [401, 401, 401, 429]
    assert officer.get("problems?limit=5").status_code == 200


def test_a_token_not_yet_verified_meets_the_address_budget(make_app):
    app = make_app(ANONYMOUS_RATE_LIMIT="3 per minute")
    assert _flood(app.test_client(), 4) == [401, 401, 401, 429]
    newcomer = login(app.test_client(), "lx_coord")  # signing in is not behind the refusal budget
    assert newcomer.get("me").status_code == 429


def test_a_token_found_dead_meets_the_address_budget_again(make_app):
    app = make_app(ANONYMOUS_RATE_LIMIT="3 per minute")
    officer = login(app.test_client(), "lxx_coord")
    assert officer.get("me").status_code == 200
    assert officer.post("auth/logout").status_code == 204
    assert _flood(app.test_client(), 3) == [401, 401, 401]
    assert [officer.get("me").status_code for _ in range(2)] == [401, 429]
