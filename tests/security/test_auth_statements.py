"""Authentication costs one statement, reads nothing from a cache (a revocation is seen by the very next
request, on any process), and no GET or HEAD writes to the database (issue 18)."""

from __future__ import annotations

import contextlib

import pytest
import requests
from sqlalchemy import event

from api import auth
from services.db import db
from tests.conftest import PASSWORD, login, serving
from tests.security.probe import ACCOUNTS, get_paths, targets
from tests.security.test_get_matrix import POLICY

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextlib.contextmanager
def recorded(app):
    """Every SQL statement the app's engine sends while the block runs (transaction control left out)."""
    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


@pytest.fixture
def authentication_statements(make_app):
    """An app whose authentication hook (and the Actor built from it) records its own statements."""
    app = make_app()
    counts: list[int] = []
    hooks = app.before_request_funcs[None]
    index = hooks.index(auth.authenticate_request)

    def counted():
        with recorded(app) as statements:
            refused = auth.authenticate_request()
            if refused is None and not auth.is_anonymous():
                auth.current_actor()  # the Actor (role, region path) comes from the same statement
        counts.append(len(statements))
        return refused

    hooks[index] = counted
    return app, counts


def test_authenticating_a_request_costs_one_statement(authentication_statements):
    app, counts = authentication_statements
    session = login(app.test_client(), "lxx_coord")
    counts.clear()
    for path in ("me", "problems?limit=20", "enterprises", "notifications"):
        assert session.get(path).status_code == 200
    assert counts == [1, 1, 1, 1]


def test_a_refused_token_costs_at_most_one_statement(authentication_statements):
    app, counts = authentication_statements
    session = login(app.test_client(), "lxx_coord")
    assert session.post("auth/logout", json={}).status_code == 204
    counts.clear()
    assert session.get("me").status_code == 401
    assert counts == [1]


def test_a_logout_is_seen_by_the_very_next_request_on_another_process(make_app):
    """Two apps on one database stand for two processes or hosts: nothing is cached between requests."""
    first, second = make_app(), make_app()
    session = login(first.test_client(), "lxx_coord")
    elsewhere = login(second.test_client(), "liaison_ma")
    elsewhere.token = session.token  # the same access token, presented to the other process
    assert elsewhere.get("me").status_code == 200
    assert session.post("auth/logout", json={}).status_code == 204
    assert elsewhere.get("me").status_code == 401


def test_an_admin_deactivation_is_seen_by_the_very_next_request(app, login_as, demo):
    victim = login_as("liaison_ma")
    assert victim.get("me").status_code == 200
    admin = login_as("admin")
    user_id = demo.user_id("liaison_ma")
    etag = admin.get(f"users/{user_id}").headers["ETag"]
    assert admin.patch(f"users/{user_id}", json={"is_active": False}, headers={"If-Match": etag}).status_code == 200
    assert victim.get("me").status_code == 401


def test_a_password_change_ends_other_sessions_at_the_next_request(app, login_as):
    kept = login_as("liaison_ma")
    other = login_as("liaison_ma")
    assert other.get("me").status_code == 200
    changed = kept.post("me/password", json={"old_password": PASSWORD, "new_password": "Xin-Mima#2026a"})
    assert changed.status_code == 204, changed.get_json()
    assert other.get("me").status_code == 401
    assert kept.get("me").status_code == 200


def test_a_revocation_through_a_real_server_is_seen_by_the_next_request(live_server):
    http = live_server.login("lxx_coord")
    assert http.get(live_server.url + "problems?limit=1").status_code == 200
    assert http.post(live_server.url + "auth/logout", json={}).status_code == 204
    refused = http.get(live_server.url + "problems?limit=1")
    assert refused.status_code == 401 and refused.json()["code"] == "unauthorized"


def _first_allowed(expected: dict) -> str:
    """The account the policy lets read the route (200), else the first account at all (404 for everyone)."""
    return next((account for account in ACCOUNTS if expected[account] == 200), ACCOUNTS[0])


WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE")
# The one thing a GET writes on success: the 等保 audit row of a data export (the chain's row and head).
AUDIT_TABLES = ("audit_log", "audit_head")


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().split()[0].upper() in WRITES]


@contextlib.contextmanager
def transactions(app):
    """Every statement the engine sends while the block runs, with how its transaction began (SQLite's own
    BEGIN / BEGIN IMMEDIATE; None on PostgreSQL, whose driver begins implicitly)."""
    seen: list[tuple[str | None, str]] = []
    began = [None]

    def listener(_conn, _cursor, statement, *_args):
        text = statement.lstrip().upper()
        if text.startswith("BEGIN"):
            began[0] = text
        elif not text.startswith(TRANSACTION_CONTROL):
            seen.append((began[0], statement))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _offending_writes(method: str, path: str, account: str, seen) -> list[str]:
    """Writes a read must not make: any write outside an export's audit row, and any write that would upgrade
    a read transaction (SQLite: a write in a transaction begun with a plain BEGIN)."""
    offenders = []
    for began, statement in seen:
        if statement.lstrip().split()[0].upper() not in WRITES:
            continue
        audit_of_export = "/export" in path and any(table in statement for table in AUDIT_TABLES)
        upgrade = began is not None and began.strip() == "BEGIN"
        if not audit_of_export or upgrade:
            offenders.append(f"{method} {path} as {account} ({began}): {statement.splitlines()[0][:120]}")
    return offenders


def _every_get_route(app, login_as, method: str) -> list[str]:
    params = targets(app)
    sessions = {}
    offenders = []
    for template, expected in POLICY.items():
        account = _first_allowed(expected)
        session = sessions.setdefault(account, login_as(account))
        path = get_paths({"paths": {template: {"get": {}}}}, params)[0]
        with transactions(app) as seen:
            status = session.request(method, path).status_code
        assert status == expected[account], (method, path, account, status)
        offenders += _offending_writes(method, path, account, seen)
    return offenders


def test_no_get_route_writes_to_the_database(app, login_as):
    """Every GET of the policy table, as an account it answers 200 (404 where it answers no one)."""
    offenders = _every_get_route(app, login_as, "GET")
    assert offenders == [], "\n".join(offenders)


def test_no_head_of_a_get_route_writes_to_the_database(app, login_as):
    offenders = _every_get_route(app, login_as, "HEAD")
    assert offenders == [], "\n".join(offenders)


@pytest.mark.parametrize("path", ["problems/export.csv", "visits/export.xlsx", "arrears/export.xlsx"])
def test_an_export_audits_in_a_writer_transaction_of_its_own(app, login_as, path):
    """The audit row of an export is the one write of a successful GET; on SQLite it never upgrades the
    request's read transaction (which failed with "database is locked" under concurrent writers)."""
    session = login_as("lxx_coord")
    with transactions(app) as seen:
        assert session.get(path).status_code == 200
    writes = [(began, statement) for began, statement in seen if statement.lstrip().split()[0].upper() in WRITES]
    assert writes and all(any(table in statement for table in AUDIT_TABLES) for _, statement in writes)
    if db_is_sqlite(app):
        assert {began.strip() for began, _ in writes} == {"BEGIN IMMEDIATE"}


def db_is_sqlite(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "sqlite"


def test_gets_through_a_real_server_write_nothing_after_a_quiet_minute(app, live_server, db_session):
    """The session's activity is older than TOUCH_EVERY: noted in memory, not written by the GET."""
    from datetime import timedelta

    from sqlalchemy import update

    from services.db import utcnow
    from services.models import UserSession

    http = live_server.login("liaison_ma")
    db_session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=5)))
    db_session.commit()
    with recorded(app) as statements:
        for path in ("me", "enterprises", "visits", "notifications", "sync"):
            assert http.get(live_server.url + path).status_code == 200
    assert _writes(statements) == []


def test_a_refused_get_is_still_audited(app, db_session):
    """The one write a GET may cause: the security event of a 401 or 403 (等保), in a transaction of its own."""
    from sqlalchemy import func, select

    from services.models import RefusalTally

    with serving(app) as base:
        assert requests.get(f"{base}/api/v1/problems", headers={"Authorization": "Bearer bad.token.x"}).status_code == 401
    assert db_session.scalar(select(func.sum(RefusalTally.count))) == 1


@pytest.mark.parametrize("path", ["problems/export.xlsx", "visits/export.csv"])
def test_a_streamed_export_read_outside_the_request_audits_in_a_writer_transaction(app, login_as, path):
    """Read through the raw test client as a WSGI server reads a streamed body: the export's generator, which
    writes the audit row, runs while the body is iterated, in the transaction the request began as a read."""
    token = login_as("lxx_coord").token
    raw = app.test_client()
    with transactions(app) as seen:
        response = raw.get(f"/api/v1/{path}", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200 and response.get_data()
    writes = [began for began, statement in seen if statement.lstrip().split()[0].upper() in WRITES]
    assert writes
    if db_is_sqlite(app):
        assert {began.strip() for began in writes} == {"BEGIN IMMEDIATE"}
