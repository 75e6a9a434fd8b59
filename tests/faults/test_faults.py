"""Fault harness: gunicorn (4 workers) on PostgreSQL while clients file problems with Idempotency-Keys;
workers are SIGKILLed and PostgreSQL is restarted. Afterwards every acknowledged write is there exactly
once, nothing is half-written, events agree with statuses, the audit chain verifies, and the outage was
answered 503 problem+json, never 500. Runs only inside scripts/with-postgres.sh (make test-pg)."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
pytestmark = [
    pytest.mark.faults, pytest.mark.postgres,
    pytest.mark.skipif(not (os.environ.get("TEST_DATABASE_URL") and os.environ.get("PG_DATADIR")),
                       reason="needs the throwaway PostgreSQL of scripts/with-postgres.sh"),
]
WRITERS, DURATION = 4, 8.0


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(base, method, path, body=None, token=None, key=None, timeout=10):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if key:
        request.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), json.loads(error.read() or b"null")


@pytest.fixture
def server(tmp_path):
    admin_url = sa.engine.make_url(os.environ["TEST_DATABASE_URL"])
    name = "lqt_faults"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": admin_url.set(database=name).render_as_string(hide_password=False),
           "FLASK_APP": "wsgi", "INSTANCE_DIR": str(tmp_path), "UPLOAD_DIR": str(tmp_path / "up"),
           "LOGIN_RATE_LIMIT": "10000 per minute", "API_RATE_LIMIT": "100000 per minute",
           "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "1024", "IDEMPOTENCY_STALE_SECONDS": "3",
           "JWT_SECRET_KEY": "faults-secret-key-that-is-long-enough-000", "AUDIT_HMAC_KEY": "faults-hmac-key-0000"}
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([str(BIN / "flask"), *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _port()
    log = (tmp_path / "gunicorn.log").open("w")  # read it when the harness fails
    master = subprocess.Popen([str(BIN / "gunicorn"), "-w", "4", "-b", f"127.0.0.1:{port}", "--timeout", "20",
                               "--graceful-timeout", "2", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    env["GUNICORN_LOG"] = str(tmp_path / "gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if _call(base, "GET", "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    yield base, master, env
    master.terminate()
    master.wait(timeout=10)
    engine.dispose()  # its connections died with the restart
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


def _restart_postgres():
    runas = os.environ.get("PG_RUNAS", "").split()
    log = Path(os.environ["PG_DATADIR"]).parent / "restart.log"
    # The new postmaster must not inherit our pipes (or run() waits for it to exit): log to a file.
    subprocess.run([*runas, f"{os.environ['PG_BINDIR']}/pg_ctl", "-D", os.environ["PG_DATADIR"], "restart",
                    "-m", "fast", "-w", "-l", str(log)], check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)


def _kill_a_worker(master):
    children = subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True).stdout.split()
    if children:
        os.kill(int(children[0]), signal.SIGKILL)


def test_acknowledged_writes_survive_worker_kills_and_a_database_restart(server):
    base, master, env = server
    token = _call(base, "POST", "/api/v1/auth/login", {"username": "liaison_ma", "password": "Demo@2026"})[2]["access_token"]
    enterprise = _call(base, "GET", "/api/v1/enterprises?assigned_to_me=true", token=token)[2]["items"][0]["id"]
    acknowledged, statuses, bad = {}, Counter(), []
    stop = time.monotonic() + DURATION

    def writer(n):
        i = 0
        while time.monotonic() < stop:
            key, title = f"w{n}-{i}", f"故障演练 {n}-{i}"
            for _attempt in range(60):  # a phone retries with the same key until it gets an answer
                try:
                    status, ctype, body = _call(base, "POST", "/api/v1/problems", {
                        "enterprise_id": enterprise, "category": "other", "title": title, "scope": "county"},
                        token=token, key=key)
                except (OSError, http.client.HTTPException):  # refused, reset, or the answer cut off mid-body
                    statuses["connection"] += 1
                    time.sleep(0.2)
                    continue
                statuses[status] += 1
                if status >= 500 and (status != 503 or "problem+json" not in ctype):
                    bad.append((status, ctype, body))
                if status == 201:
                    acknowledged[key] = (title, body["id"])
                    break
                time.sleep(0.2)
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    _kill_a_worker(master)
    time.sleep(3)
    _restart_postgres()
    time.sleep(2)
    _kill_a_worker(master)
    for thread in threads:
        thread.join(timeout=120)

    if bad:
        Path("/tmp/lqt-faults-gunicorn.log").write_text(Path(env["GUNICORN_LOG"]).read_text())
    assert not bad, bad[:3]
    assert statuses[500] == 0
    assert len(acknowledged) > 20, statuses
    engine = sa.create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT title, count(*) FROM problems WHERE title LIKE '故障演练%' GROUP BY title"))
        counts = dict(rows.all())
        missing = [(key, title, pid) for key, (title, pid) in acknowledged.items() if counts.get(title) != 1]
        assert not missing, (missing[:5], conn.execute(sa.text(
            "SELECT id, title FROM problems WHERE id = ANY(:ids)"), {"ids": [m[2] for m in missing]}).all())
        assert all(count == 1 for count in counts.values()), "a retried write was applied twice"
        orphans = conn.execute(sa.text(
            "SELECT count(*) FROM problems p WHERE NOT EXISTS (SELECT 1 FROM problem_events e "
            "WHERE e.problem_id = p.id AND e.action = 'create')")).scalar()
        assert orphans == 0, "a problem without its event: half-written"
        drift = conn.execute(sa.text(
            "SELECT count(*) FROM problems p WHERE p.status <> (SELECT e.to_status FROM problem_events e "
            "WHERE e.problem_id = p.id ORDER BY e.id DESC LIMIT 1)")).scalar()
        assert drift == 0
    engine.dispose()
    verify = subprocess.run([str(BIN / "flask"), "audit-verify"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stderr
    print(f"\nfaults: {dict(statuses)}; acknowledged {len(acknowledged)}; rows {len(counts)}")
