"""gunicorn on the test's database, started the way the README starts it."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import requests

from api.config import TestConfig
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def signed_in(base: str, username: str) -> requests.Session:
    """A requests.Session signed in as `username` on the server at `base` (requests sends Accept-Encoding: gzip)."""
    http = requests.Session()
    answer = http.post(f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD}, timeout=30)
    assert answer.status_code == 200, answer.text
    http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return http


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Servers:
    """start(*gunicorn_args, **env) -> (base URL, log path). No args: the line of `make run`
    (scripts/serve.sh); with args: `gunicorn --bind … ARGS wsgi:app` like the README's production line."""

    def __init__(self, database_url: str, tmp_path: Path):
        self.database_url, self.tmp_path, self.started = database_url, tmp_path, []

    def __call__(self, *args, **env):
        database, tmp_path, started = self, self.tmp_path, self.started
        port = free_port()
        log = tmp_path / f"gunicorn-{port}.log"
        environ = {**os.environ, "DATABASE_URL": database.database_url, "INSTANCE_DIR": str(tmp_path),
                   "UPLOAD_DIR": str(tmp_path / "uploads"), "JWT_SECRET_KEY": TestConfig.JWT_SECRET_KEY,
                   "AUDIT_HMAC_KEY": TestConfig.AUDIT_HMAC_KEY, "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "1024",
                   "HOST": "127.0.0.1", "PORT": str(port), "VENV": str(BIN.parent), "FLASK_APP": "wsgi",
                   **{k: str(v) for k, v in env.items()}}
        command = ([str(ROOT / "scripts" / "serve.sh")] if not args else
                   [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--access-logfile", "-", *args, "wsgi:app"])
        process = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=log.open("w"), stderr=subprocess.STDOUT)
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(log.read_text()) from None
                time.sleep(0.1)
        time.sleep(0.5)  # let every worker come up before load
        return base, log

    def stop(self) -> None:
        for process in self.started:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def gunicorn(app, database, tmp_path):
    """Servers on the test's own (freshly reset) database."""
    servers = Servers(database.url, tmp_path)
    yield servers
    servers.stop()


@pytest.fixture(scope="module")
def make_run_server(database, tmp_path_factory):
    """One `make run` server for a module's read-only checks, on a private copy of the seeded database."""
    servers = Servers(database.clone("gunicorn"), tmp_path_factory.mktemp("gunicorn"))
    yield servers()
    servers.stop()
