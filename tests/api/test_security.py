"""等保 level-3 controls and the RFC 8725 negative token suite."""

import logging
import threading
import time
from datetime import timedelta

import jwt
import pyotp
import pytest
from sqlalchemy import select, update

from api.config import TestConfig
from services.db import utcnow
from services.models import User, UserSession
from tests.conftest import ApiClient, login

SECRET = TestConfig.JWT_SECRET_KEY


def _claims(user_id="5", **kw):
    now = int(time.time())
    return {"sub": user_id, "iat": now, "nbf": now, "exp": now + 600, "jti": f"j{now}{kw.get('n', '')}",
            "type": "access", "fresh": False, "iss": "lianqitong", "aud": "lianqitong-api", "role": "coordinator",
            "sid": "x", "iatp": time.time(), **{k: v for k, v in kw.items() if k != "n"}}


def _get_me(client, token):
    return client.get("me", headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("token_of", [
    lambda: jwt.encode(_claims(), key=None, algorithm="none"),
    lambda: jwt.encode(_claims(), "another-secret-that-is-long-enough-000000", algorithm="HS256"),
    lambda: jwt.encode(_claims(exp=int(time.time()) - 10), SECRET, algorithm="HS256"),
    lambda: jwt.encode(_claims(nbf=int(time.time()) + 3600), SECRET, algorithm="HS256"),
    lambda: jwt.encode(_claims(iss="someone-else"), SECRET, algorithm="HS256"),
    lambda: jwt.encode(_claims(aud="another-api"), SECRET, algorithm="HS256"),
    lambda: jwt.encode({k: v for k, v in _claims().items() if k != "aud"}, SECRET, algorithm="HS256"),
    lambda: jwt.encode(_claims(type="refresh"), SECRET, algorithm="HS256"),
], ids=["alg-none", "wrong-key", "expired", "not-yet-valid", "wrong-issuer", "wrong-audience", "no-audience",
        "refresh-as-access"])
def test_forged_or_misused_tokens_are_401_problems(client, token_of):
    response = _get_me(client, token_of())
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "unauthorized"


def test_a_token_in_the_query_string_does_not_authenticate(login_as, client):
    token = login_as("lxx_coord").token
    for name in ("access_token", "jwt", "token"):
        assert client.get("me", query_string={name: token}).status_code == 401


def test_two_concurrent_refreshes_with_one_token_let_exactly_one_through(app):
    session = login(app.test_client(), "liaison_ma")
    clients = [ApiClient(app.test_client(), session.refresh_token) for _ in range(2)]
    barrier, codes = threading.Barrier(2), []

    def refresh(client):
        barrier.wait()
        codes.append(client.post("auth/refresh").status_code)

    threads = [threading.Thread(target=refresh, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200, 401]


def test_an_idle_session_times_out(login_as, db_session):
    session = login_as("liaison_ma")
    assert session.get("me").status_code == 200
    db_session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db_session.commit()
    response = session.get("me")
    assert response.status_code == 401 and "超时" in response.get_json()["detail"]
    assert ApiClient(session.raw, session.refresh_token).post("auth/refresh").status_code == 401


def test_an_expired_password_allows_only_changing_it(login_as, db_session):
    session = login_as("liaison_ma")
    db_session.execute(update(User).where(User.username == "liaison_ma")
                       .values(password_changed_at=utcnow() - timedelta(days=91)))
    db_session.commit()
    refused = session.get("enterprises")
    assert refused.status_code == 403 and refused.get_json()["code"] == "password_expired"
    assert session.get("me").status_code == 200
    assert session.post("me/password", json={"old_password": "Demo@2026", "new_password": "Fresh#2027a"}).status_code == 204
    assert session.get("enterprises").status_code == 200


def test_removing_mfa_needs_a_current_code(login_as):
    session = login_as("lxx_coord")
    secret = session.post("me/mfa").get_json()["secret"]
    assert session.delete("me/mfa", json={"otp": "123456"}).status_code in (422,)
    assert session.delete("me/mfa", json={"otp": pyotp.TOTP(secret).now()}).status_code == 204


def test_phone_numbers_never_reach_the_logs(app, caplog):
    caplog.set_level(logging.INFO)
    logger = logging.getLogger("lianqitong.test")
    with app.test_request_context():
        for handler in logging.getLogger("lianqitong").handlers:
            record = logger.makeRecord("lianqitong.test", logging.INFO, __file__, 1, "联系人电话 %s", ("13912345678",), None)
            for log_filter in handler.filters:
                log_filter.filter(record)
            assert "13912345678" not in record.getMessage()
            assert "139****5678" in record.getMessage()


def test_security_headers_are_set(client):
    response = client.get("/healthz")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response.headers


def test_api_answers_are_not_cached(login_as):
    assert login_as("liaison_ma").get("me").headers["Cache-Control"] == "no-store"


def test_production_sends_hsts_and_refuses_short_keys(make_app, tmp_path):
    from api.config import load_secrets

    with pytest.raises(RuntimeError):
        load_secrets({"APP_ENV": "production", "INSTANCE_DIR": tmp_path, "JWT_SECRET_KEY": "short",
                      "AUDIT_HMAC_KEY": "x" * 40})


def test_production_refuses_to_start_with_demo_passwords(make_app):
    with pytest.raises(RuntimeError, match="demo password"):
        make_app(APP_ENV="production")


def test_cors_allows_only_listed_origins(make_app):
    app = make_app(CORS_ORIGINS=["https://portal.lianqitong.gov.cn"])
    client = app.test_client()
    allowed = client.get("/api/v1/meta/enums", headers={"Origin": "https://portal.lianqitong.gov.cn"})
    refused = client.get("/api/v1/meta/enums", headers={"Origin": "https://evil.example"})
    assert allowed.headers.get("Access-Control-Allow-Origin") == "https://portal.lianqitong.gov.cn"
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_the_docs_page_runs_under_a_hash_based_csp(client):
    import base64
    import hashlib
    import re

    page = client.get("/api/v1/docs")
    script = re.search(r"<script>(.*?)</script>", page.get_data(as_text=True), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = page.headers["Content-Security-Policy"]
    assert f"'sha256-{digest}'" in csp
    assert "script-src 'self' 'sha256-" in csp and "unsafe-inline" not in csp.split("style-src")[0]


def test_the_admin_cannot_read_the_audit_log_but_the_auditor_can(login_as, db_session):
    assert db_session.scalar(select(User.role).where(User.username == "auditor")) == "auditor"
    assert login_as("admin").get("audit").status_code == 403
