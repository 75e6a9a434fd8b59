"""What an attacker with a password, a token or a look-alike username found, now closed."""

import re
import time
from datetime import timedelta

import jwt
import pyotp
import pytest
import requests
from sqlalchemy import func, select, update

from api.config import TestConfig
from services.db import utcnow
from services.models import AuditLog, RefusalTally, User
from tests.conftest import PASSWORD, ApiClient, login, serving

SECRET = TestConfig.JWT_SECRET_KEY
CREDENTIALS = {"username": "kl_coord", "password": PASSWORD}


@pytest.fixture
def mfa_app(make_app):
    return make_app(MFA_REQUIRED_ROLES=frozenset({"admin", "coordinator"}))


def _anon(app):
    return ApiClient(app.test_client())


def _issue_code(app, username="kl_coord"):
    """An enrolment code issued the out-of-band way an operator would (the CLI)."""
    result = app.test_cli_runner().invoke(args=["mfa-enrolment", username])
    assert result.exit_code == 0, result.output
    return re.search(r"[0-9A-F]{4}(?:-[0-9A-F]{4}){3}", result.output).group()


def _enrol(app, code):
    response = _anon(app).post("auth/mfa/enrol", json={**CREDENTIALS, "enrolment_code": code})
    assert response.status_code == 201, response.get_json()
    return pyotp.TOTP(response.get_json()["secret"])


def _at_next_step(totp):
    return totp.at(time.time() + 30)


# --- a second factor that cannot be skipped -----------------------------------------------------------

def test_the_password_alone_yields_no_session_for_an_unenrolled_required_role(mfa_app):
    response = _anon(mfa_app).post("auth/login", json=CREDENTIALS)
    assert response.status_code == 401
    assert response.get_json()["code"] == "mfa_enrolment_required"
    assert "access_token" not in response.get_json()


def test_a_role_that_is_not_required_still_signs_in_with_its_password(mfa_app):
    assert _anon(mfa_app).post("auth/login", json={"username": "liaison_li", "password": PASSWORD}).status_code == 200


def test_an_attacker_with_only_the_password_cannot_enrol(mfa_app):
    anon = _anon(mfa_app)
    response = anon.post("auth/mfa/enrol", json={**CREDENTIALS, "enrolment_code": "0000-0000-0000-0000"})
    assert response.status_code == 401
    assert anon.post("me/mfa").status_code == 401  # no session to enrol from


def test_an_admin_issued_code_binds_the_authenticator_at_the_first_code(mfa_app, login_as):
    totp = _enrol(mfa_app, _issue_code(mfa_app))
    anon = _anon(mfa_app)
    assert anon.post("auth/login", json=CREDENTIALS).get_json()["code"] == "mfa_required"
    signed_in = anon.post("auth/login", json={**CREDENTIALS, "otp": totp.now()})
    assert signed_in.status_code == 200
    assert signed_in.get_json()["user"]["mfa_enabled"] is True


def test_an_admin_issues_the_enrolment_code_through_the_api(app, login_as, demo):
    response = login_as("admin").post(f"users/{demo.user_id('kl_coord')}/mfa-enrolment")
    assert response.status_code == 201
    assert len(response.get_json()["enrolment_code"]) == 19 and response.get_json()["expires_at"].endswith("+08:00")


def test_only_an_admin_issues_enrolment_codes(login_as, demo):
    assert login_as("lx_coord").post(f"users/{demo.user_id('kl_coord')}/mfa-enrolment").status_code == 403


def test_an_enrolment_code_binds_once(mfa_app):
    code = _issue_code(mfa_app)
    totp = _enrol(mfa_app, code)
    assert _anon(mfa_app).post("auth/login", json={**CREDENTIALS, "otp": totp.now()}).status_code == 200
    again = _anon(mfa_app).post("auth/mfa/enrol", json={**CREDENTIALS, "enrolment_code": code})
    assert again.status_code == 409


def test_an_expired_enrolment_code_is_refused(mfa_app, db_session):
    code = _issue_code(mfa_app)
    db_session.execute(update(User).where(User.username == "kl_coord").values(mfa_enrolment_expires_at=utcnow()))
    db_session.commit()
    response = _anon(mfa_app).post("auth/mfa/enrol", json={**CREDENTIALS, "enrolment_code": code})
    assert response.status_code == 401


def test_a_totp_code_is_accepted_once(mfa_app):
    totp = _enrol(mfa_app, _issue_code(mfa_app))
    code = totp.now()
    assert _anon(mfa_app).post("auth/login", json={**CREDENTIALS, "otp": code}).status_code == 200
    replay = _anon(mfa_app).post("auth/login", json={**CREDENTIALS, "otp": code})
    assert replay.status_code == 401 and replay.get_json()["code"] == "mfa_required"


def test_an_older_code_after_a_newer_one_is_refused(mfa_app):
    totp = _enrol(mfa_app, _issue_code(mfa_app))
    assert _anon(mfa_app).post("auth/login", json={**CREDENTIALS, "otp": _at_next_step(totp)}).status_code == 200
    assert _anon(mfa_app).post("auth/login", json={**CREDENTIALS, "otp": totp.now()}).status_code == 401


def test_wrong_codes_count_toward_the_lockout(mfa_app):
    totp = _enrol(mfa_app, _issue_code(mfa_app))
    anon = _anon(mfa_app)
    codes = [anon.post("auth/login", json={**CREDENTIALS, "otp": "000000"}).status_code for _ in range(5)]
    assert codes == [401, 401, 401, 401, 423]
    assert anon.post("auth/login", json={**CREDENTIALS, "otp": totp.now()}).status_code == 423


def test_wrong_enrolment_codes_count_toward_the_lockout(mfa_app):
    anon = _anon(mfa_app)
    _issue_code(mfa_app)
    codes = [anon.post("auth/mfa/enrol", json={**CREDENTIALS, "enrolment_code": f"FFFF-0000-0000-000{n}"}).status_code
             for n in range(5)]
    assert codes == [401, 401, 401, 401, 423]


def test_a_required_role_cannot_remove_its_second_factor(mfa_app):
    totp = _enrol(mfa_app, _issue_code(mfa_app))
    session = login(mfa_app.test_client(), "kl_coord", otp=totp.now())
    assert session.delete("me/mfa", json={"otp": _at_next_step(totp)}).status_code == 409


def test_the_attackers_path_through_a_real_server_ends_locked_out(mfa_app):
    with serving(mfa_app) as base, requests.Session() as http:
        assert http.post(f"{base}/api/v1/auth/login", json=CREDENTIALS).json()["code"] == "mfa_enrolment_required"
        assert http.post(f"{base}/api/v1/me/mfa").status_code == 401
        guesses = [http.post(f"{base}/api/v1/auth/mfa/enrol",
                             json={**CREDENTIALS, "enrolment_code": f"AAAA-BBBB-CCCC-{n:04}"}).status_code
                   for n in range(6)]
    assert guesses == [401, 401, 401, 401, 423, 423]


# --- the lockout does not tell who exists ---------------------------------------------------------

VOLATILE = {"X-Request-ID", "Date", "Retry-After", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Content-Length",
            "RateLimit-Remaining", "RateLimit-Reset"}


def _attempts(app, username):
    anon = _anon(app)
    answers = []
    for _ in range(6):
        response = anon.post("auth/login", json={"username": username, "password": "Wrong@2026"})
        body = response.get_json()
        answers.append((response.status_code, body["code"], body["detail"], sorted(set(body) - {"locked_until"}),
                        {k: v for k, v in response.headers.items() if k not in VOLATILE},
                        "Retry-After" in response.headers))
    return answers


def test_five_wrong_passwords_answer_alike_for_unknown_and_real_users(app):
    real = _attempts(app, "lxx_coord")
    from api.extensions import limiter

    with app.app_context():
        limiter.reset()
    unknown = _attempts(app, "nobody_here")
    assert [a[0] for a in real] == [401, 401, 401, 401, 423, 423]
    assert unknown == real


def test_an_unknown_username_locked_out_says_until_when_like_a_real_one(client):
    for _ in range(5):
        client.post("auth/login", json={"username": "ghost", "password": "x"})
    body = client.post("auth/login", json={"username": "ghost", "password": "x"}).get_json()
    assert body["code"] == "account_locked" and "locked_until" in body


def test_a_wrong_old_password_counts_and_locks_after_five(login_as, client):
    session = login_as("liaison_ma")
    codes = [session.post("me/password", json={"old_password": "Wrong@2026", "new_password": "Better#2027"}).status_code
             for _ in range(5)]
    assert codes == [422, 422, 422, 422, 423]
    assert session.get("me").status_code == 401  # every session ended
    assert client.post("auth/login", json={"username": "liaison_ma", "password": PASSWORD}).status_code == 423


def test_a_wrong_old_password_is_rate_limited(make_app):
    limited = make_app(LOGIN_RATE_LIMIT="3 per minute")
    session = login(limited.test_client(), "liaison_ma")
    codes = [session.post("me/password", json={"old_password": "Wrong@2026", "new_password": "Better#2027"}).status_code
             for _ in range(4)]
    assert codes == [422, 422, 422, 429]


# --- sessions end when the user says so -------------------------------------------------------------

def _resigned(session, drop: str):
    claims = jwt.decode(session.token, SECRET, algorithms=["HS256"], audience="lianqitong-api")
    return jwt.encode({k: v for k, v in claims.items() if k != drop}, SECRET, algorithm="HS256")


@pytest.mark.parametrize("claim", ["exp", "jti", "sid", "sub"])
def test_a_token_without_a_required_claim_is_refused(login_as, client, claim):
    token = _resigned(login_as("liaison_ma"), claim)
    response = client.get("me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("sub", ["abc", "1.5", "-1", "９", "99999999999999999999"])
def test_a_non_integer_sub_is_a_401(login_as, client, sub):
    claims = jwt.decode(login_as("liaison_ma").token, SECRET, algorithms=["HS256"], audience="lianqitong-api")
    token = jwt.encode({**claims, "sub": sub}, SECRET, algorithm="HS256")
    assert client.get("me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


# --- usernames cannot impersonate -----------------------------------------------------------------

@pytest.mark.parametrize(("username", "status"), [
    ("admin\u200b", 422), ("ａｄｍｉｎ", 409), ("Admin", 409), ("\u0430dmin", 422), ("ADMIN", 409), ("ad min", 422),
])
def test_a_look_alike_of_admin_is_refused_or_collides(login_as, username, status):
    response = login_as("admin").post("users", json={"username": username, "password": "Strong#2026x", "name": "冒名",
                                                      "role": "auditor"})
    assert response.status_code == status
    assert "username" in response.get_json()["errors"]


def test_a_new_username_is_stored_in_its_canonical_form(login_as):
    response = login_as("admin").post("users", json={"username": "Ｗang_Wei", "password": "Strong#2026x", "name": "王伟",
                                                      "role": "auditor"})
    assert response.status_code == 201 and response.get_json()["username"] == "wang_wei"


def test_signing_in_ignores_case_and_width(client):
    assert client.post("auth/login", json={"username": "ＬＸＸ_Coord", "password": PASSWORD}).status_code == 200


# --- anonymous traffic is limited and cheap ---------------------------------------------------------

def test_bad_tokens_are_limited_per_address_before_authentication(make_app):
    limited = make_app(ANONYMOUS_RATE_LIMIT="5 per minute")
    raw = limited.test_client()
    codes = [raw.get("/api/v1/me", headers={"Authorization": "Bearer forged"}).status_code for _ in range(7)]
    assert codes == [401] * 5 + [429] * 2
    other = raw.get("/api/v1/me", headers={"Authorization": "Bearer forged"}, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 401


def test_an_address_over_its_budget_is_told_when_to_come_back(make_app):
    limited = make_app(ANONYMOUS_RATE_LIMIT="1 per minute")
    raw = limited.test_client()
    raw.get("/api/v1/me")
    response = raw.get("/api/v1/me")
    assert response.status_code == 429 and 1 <= int(response.headers["Retry-After"]) <= 61


def test_a_flood_of_bad_tokens_through_a_real_server_writes_o1_audit_rows(make_app, db_session):
    limited = make_app(ANONYMOUS_RATE_LIMIT="100 per minute")
    before = db_session.scalar(select(func.count()).select_from(AuditLog))
    db_session.rollback()
    with serving(limited) as base, requests.Session() as http:
        codes = [http.get(f"{base}/api/v1/problems", headers={"Authorization": f"Bearer bad.{n}.token"}).status_code
                 for n in range(400)]
    assert codes.count(401) == 100 and codes.count(429) == 300
    chained = db_session.scalar(select(func.count()).select_from(AuditLog)) - before
    tallied = db_session.scalar(select(func.sum(RefusalTally.count)))
    assert chained <= 2  # one per address and minute (two if the run crosses a minute)
    assert tallied == 100


# --- reads never write --------------------------------------------------------------------------

def test_a_get_after_a_quiet_minute_writes_nothing(app, login_as, db_session):
    from sqlalchemy import event

    from services.db import db
    from services.models import UserSession

    session = login_as("liaison_ma")
    db_session.execute(update(UserSession).values(last_seen_at=utcnow().replace(microsecond=0) - timedelta(minutes=5)))
    db_session.commit()
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, …)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert session.get("enterprises").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    writes = [s for s in statements if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE", "BEGIN")
              and not s.upper().startswith("BEGIN DEFERRED") and s.strip().upper() != "BEGIN"]
    assert not writes, writes


def test_noted_activity_reaches_the_database_in_the_background_flush(app, login_as, db_session):
    from services import accounts
    from services.models import UserSession

    session = login_as("liaison_ma")
    old = utcnow().replace(microsecond=0) - timedelta(minutes=5)
    db_session.execute(update(UserSession).values(last_seen_at=old))
    db_session.commit()
    session.get("me")
    with app.app_context():
        assert accounts.flush_activity() >= 1
    assert min(db_session.scalars(select(UserSession.last_seen_at))) > old


def test_the_idle_timeout_counts_activity_not_yet_written(app, login_as, db_session):
    from services import accounts
    from services.models import UserSession

    session = login_as("liaison_ma")
    db_session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=29)))
    db_session.commit()
    assert session.get("me").status_code == 200  # noted in memory
    db_session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=45)))
    db_session.commit()
    assert session.get("me").status_code == 200  # the note is newer than the row
    accounts.activity.drain()
    assert session.get("me").status_code == 401
