"""Fixtures: a migrated, demo-seeded template database per worker, reset before every test.

SQLite by default; PostgreSQL when TEST_DATABASE_URL points at a server (make test-pg).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from api import create_app
from api.config import TestConfig
from services.db import db

PG_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "Demo@2026"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw")


class Database:
    """The per-worker test database and how to put it back to the seeded state."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        worker = _worker()
        if PG_URL:
            self.admin_url = sa.engine.make_url(PG_URL)
            self.template = f"lqt_{worker}_tmpl"
            self.name = f"lqt_{worker}_test"
            self.url = self.admin_url.set(database=self.name).render_as_string(hide_password=False)
            self.template_url = self.admin_url.set(database=self.template).render_as_string(hide_password=False)
        else:
            self.template_path = tmp / "template.db"
            self.path = tmp / "test.db"
            self.url = f"sqlite:///{self.path}"
            self.template_url = f"sqlite:///{self.template_path}"

    @property
    def is_postgres(self) -> bool:
        return bool(PG_URL)

    def _admin(self, *statements: str) -> None:
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
        engine.dispose()

    def build_template(self) -> None:
        if self.is_postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
                        f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)',
                        f'CREATE DATABASE "{self.template}"')
        app = create_app(_config(self.template_url, self.tmp))
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            from services.demo import load

            load(upload_dir=Path(app.config["UPLOAD_DIR"]))
            db.session.remove()
            db.engine.dispose()  # closing the last SQLite connection checkpoints the WAL

    def reset(self) -> None:
        if self.is_postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
                        f'CREATE DATABASE "{self.name}" TEMPLATE "{self.template}"')
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(self.template_path, self.path)

    def clone(self, suffix: str) -> str:
        """A private copy of the seeded template that no test resets: its URL."""
        if self.is_postgres:
            name = f"lqt_{_worker()}_{suffix}"
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
            return self.admin_url.set(database=name).render_as_string(hide_password=False)
        path = self.tmp / f"{suffix}.db"
        shutil.copyfile(self.template_path, path)
        return f"sqlite:///{path}"

    def drop(self) -> None:
        if self.is_postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
                        f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')


def _config(url: str, tmp: Path, **overrides) -> dict:
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, INSTANCE_DIR=tmp, UPLOAD_DIR=tmp / "uploads",
                  SQLALCHEMY_ENGINE_OPTIONS={})
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def database(tmp_path_factory) -> Database:
    database = Database(tmp_path_factory.mktemp("db"))
    database.build_template()
    yield database
    database.drop()


@pytest.fixture(scope="session")
def _session_app(database):
    return create_app(_config(database.url, database.tmp))


@pytest.fixture
def app(_session_app, database):
    """The app, on a freshly reset copy of the seeded database."""
    with _session_app.app_context():
        db.session.remove()
        db.engine.dispose()
    database.reset()
    (database.tmp / "audit-checkpoint.jsonl").unlink(missing_ok=True)  # checkpoints belong to the old database
    from api.extensions import limiter
    from services import dashboard

    with _session_app.app_context():
        limiter.reset()
    dashboard.forget()  # answers kept for the database before the reset
    yield _session_app
    with _session_app.app_context():
        db.session.remove()


@pytest.fixture
def make_app(database, app):
    """Build another app on the same (reset) test database, with config overrides."""
    built = []

    def _make(**overrides):
        new = create_app(_config(database.url, database.tmp, **overrides))
        built.append(new)
        return new

    yield _make
    for new in built:
        with new.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def db_session(app):
    """The test's own session. Its transactions start deferred (not BEGIN IMMEDIATE), so holding
    one open while the app serves a request does not lock SQLite writers out; end it (commit or
    rollback) before reading what a request wrote."""
    from services.db import read_only_intent

    token = read_only_intent.set(True)
    with app.app_context():
        yield db.session
        db.session.remove()
    read_only_intent.reset(token)


class ApiClient:
    """A test client that sends JSON and a bearer token by default."""

    def __init__(self, flask_client, token: str | None = None, user: dict | None = None,
                 refresh_token: str | None = None):
        self.raw = flask_client
        self.token = token
        self.refresh_token = refresh_token
        self.user = user or {}

    def _headers(self, headers):
        merged = {}
        if self.token:
            merged["Authorization"] = f"Bearer {self.token}"
        merged.update(headers or {})
        return {k: v for k, v in merged.items() if v is not None}

    def request(self, method, path, *, json=None, headers=None, **kw):
        if not path.startswith("/"):
            path = "/api/v1/" + path
        # A fresh context: the request gets its own app context (g, db.session) as in production,
        # even while the test holds one open (Flask would otherwise reuse the test's).
        kw.setdefault("buffered", True)  # a streamed body is read inside that context too, as a server does
        return contextvars.Context().run(self.raw.open, path, method=method, json=json,
                                         headers=self._headers(headers), **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self.request("PUT", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def login(flask_client, username: str, password: str = PASSWORD, **extra) -> ApiClient:
    response = ApiClient(flask_client).post("auth/login", json={"username": username, "password": password, **extra})
    assert response.status_code == 200, (username, response.get_json())
    body = response.get_json()
    return ApiClient(flask_client, body["access_token"], body["user"], body["refresh_token"])


@pytest.fixture
def client(app):
    return ApiClient(app.test_client())


@pytest.fixture
def login_as(app):
    """login_as("lxx_coord") -> ApiClient signed in through the real /auth/login."""

    def _login(username: str, password: str = PASSWORD, **extra) -> ApiClient:
        return login(app.test_client(), username, password, **extra)

    return _login


class Demo:
    """Look up demo objects by their natural keys."""

    def __init__(self, app):
        self.app = app

    def _one(self, stmt):
        from services.db import read_only_intent

        token = read_only_intent.set(True)  # a read: never queue behind a writer the test holds open
        try:
            with self.app.app_context():
                value = db.session.scalar(stmt)
        finally:
            read_only_intent.reset(token)
        assert value is not None, str(stmt)
        return value

    def user_id(self, username: str) -> int:
        from services.models import User

        return self._one(sa.select(User.id).where(User.username == username))

    def enterprise_id(self, name_part: str) -> int:
        from services.models import Enterprise

        return self._one(sa.select(Enterprise.id).where(Enterprise.name.contains(name_part)).order_by(Enterprise.id))

    def region_id(self, code: str) -> int:
        from services.models import Region

        return self._one(sa.select(Region.id).where(Region.code == code))

    def department_id(self, name_part: str) -> int:
        from services.models import Department

        return self._one(sa.select(Department.id).where(Department.name.contains(name_part)))


@pytest.fixture
def demo(app) -> Demo:
    return Demo(app)


@contextlib.contextmanager
def serving(flask_app):
    """An app behind a real HTTP server (Werkzeug, threaded) on a free loopback port: its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


class LiveServer:
    """A real server's addresses: `base` (http://127.0.0.1:port) and `url` (its /api/v1/)."""

    def __init__(self, base: str):
        self.base = base
        self.url = f"{base}/api/v1/"

    def login(self, username: str, password: str = PASSWORD):
        """A requests.Session signed in as `username` (requests sends Accept-Encoding: gzip)."""
        import requests

        session = requests.Session()
        response = session.post(self.url + "auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        return session


@pytest.fixture
def live_server(app):
    """The test's app, on the freshly reset database, behind a real server with compression on as in production."""
    with serving(app) as base:
        yield LiveServer(base)
