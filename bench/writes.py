"""Write throughput under 8 concurrent writers, as ratios to a one-insert route measured in the same run.

Served as `make run` serves: gunicorn, 2 workers × 4 threads (gthread), and one `flask deliver` beside them
(it also seals the audit chain every second). Mounted beside the app in the same gunicorn process (werkzeug's
DispatcherMiddleware, so none of the app's hooks run), `POST /bare/insert` inserts one row through
Flask + Flask-SQLAlchemy with no token: the ceiling no write of that server can beat. wrk, 2 threads × 8
connections (8 writers at once), a Lua script per route:

- `POST /api/v1/visits` with one nested problem, as a liaison's phone sends it (Idempotency-Key each time);
- `POST /api/v1/problems/{id}/comment`, a workflow action, round-robin over 200 problems of one county;
- `POST /bare/insert`.

Usage: .venv/bin/python bench/writes.py [sqlite|postgres] [--seconds 10] [--repeat 1]
(postgres: inside scripts/with-postgres.sh, which sets TEST_DATABASE_URL). Prints the table and the load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WRITERS = 8

BARE_APP = '''
"""The app with the one-insert route mounted beside it (bench/writes.py)."""
import os

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event, text
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from wsgi import app

bare = Flask("bare")
bare.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
store = SQLAlchemy(bare)

with bare.app_context():
    if store.engine.dialect.name == "sqlite":
        @event.listens_for(store.engine, "connect")
        def _pragmas(connection, _record):
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()


@bare.post("/insert")
def insert_one():
    store.session.execute(text("INSERT INTO bench_inserts (note) VALUES (:note)"), {"note": "x"})
    store.session.commit()
    return {"ok": True}, 201


application = DispatcherMiddleware(app.wsgi_app, {"/bare": bare})
'''

LUA = '''
local counter = 0
local next_id = 1
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end
local ids = {%(ids)s}
request = function()
  counter = counter + 1
  local path = "%(path)s"
  if #ids > 0 then
    path = string.gsub(path, "{id}", ids[(counter + tid * 7) %% #ids + 1])
  end
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(token)s",
                   ["Idempotency-Key"] = "bench-" .. tid .. "-" .. counter .. "-" .. %(run)d}
  return wrk.format("POST", path, headers, %(body)s)
end
'''


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database(kind: str, work: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{work}/writes.db"
    import sqlalchemy as sa

    admin = sa.engine.make_url(os.environ["TEST_DATABASE_URL"])
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql('DROP DATABASE IF EXISTS "lqt_bench_writes" WITH (FORCE)')
        conn.exec_driver_sql('CREATE DATABASE "lqt_bench_writes"')
    engine.dispose()
    return admin.set(database="lqt_bench_writes").render_as_string(hide_password=False)


def _prepare(env: dict, url: str) -> None:
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([str(BIN / "flask"), *command], cwd=ROOT, env=env, check=True, capture_output=True)
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    serial = "SERIAL" if engine.dialect.name == "postgresql" else "INTEGER"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE bench_inserts (id {serial} PRIMARY KEY, note VARCHAR(16))")
    engine.dispose()


def _login(base: str, username: str) -> str:
    response = requests.post(f"{base}/api/v1/auth/login", json={"username": username, "password": "Demo@2026"})
    response.raise_for_status()
    return response.json()["access_token"]


def _wrk(base: str, path: str, token: str, body: dict | None, seconds: int, work: Path, run: int,
         ids: list[int] = ()) -> tuple[float, int]:
    script = work / f"post-{run}.lua"
    script.write_text(LUA % {"path": path, "token": token, "body": json.dumps(json.dumps(body or {}, ensure_ascii=False),
                                                                        ensure_ascii=False),
                             "ids": ", ".join(f'"{i}"' for i in ids), "run": run}, encoding="utf-8")
    out = subprocess.run(["wrk", "-t2", f"-c{WRITERS}", f"-d{seconds}s", "-s", str(script), base + path.split("{")[0]],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rate, int(failed.group(1)) if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database", nargs="?", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("needs wrk (apt-get install wrk)")
    work = Path(tempfile.mkdtemp(prefix="lqt-writes-"))
    processes: list[subprocess.Popen] = []
    try:
        url = _database(args.database, work)
        env = {**os.environ, "FLASK_APP": "wsgi", "INSTANCE_DIR": str(work), "DATABASE_URL": url,
               "API_RATE_LIMIT": "100000000 per minute", "LOGIN_RATE_LIMIT": "1000000 per minute",
               "RATELIMIT_STORAGE_URI": f"sqlite-file://{work}/ratelimit.db", "PYTHONPATH": f"{work}:{ROOT}"}
        _prepare(env, url)
        (work / "bench_writes_wsgi.py").write_text(BARE_APP, encoding="utf-8")
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        processes.append(subprocess.Popen(
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--worker-class", "gthread", "--workers", "2",
             "--threads", "4", "bench_writes_wsgi:application"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        processes.append(subprocess.Popen([str(BIN / "flask"), "deliver"], cwd=ROOT, env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=3).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        time.sleep(2)  # both workers accepting
        liaison, coordinator = _login(base, "liaison_ma"), _login(base, "lxx_coord")
        headers = {"Authorization": f"Bearer {coordinator}"}
        enterprise = requests.get(f"{base}/api/v1/enterprises?q=清河源", headers=headers).json()["items"][0]["id"]
        problems = []
        for n in range(200):
            response = requests.post(f"{base}/api/v1/problems", headers=headers, json={
                "enterprise_id": enterprise, "category": "financing", "title": f"压测问题 {n}", "scope": "county"})
            response.raise_for_status()
            problems.append(response.json()["id"])
        visited_at = (datetime.now(timezone(timedelta(hours=8))) - timedelta(hours=1)).isoformat()
        visit = {"enterprise_id": enterprise, "method": "on_site", "visited_at": visited_at, "summary": "压测走访",
                 "latitude": 35.6, "longitude": 103.2, "accuracy_m": 12,
                 "problems": [{"category": "labor", "title": "缺熟练工", "scope": "county"}]}
        routes = [("POST /bare/insert (one INSERT, beside the app)", "/bare/insert", None, None, ()),
                  ("POST /visits with a nested problem", "/api/v1/visits", liaison, visit, ()),
                  ("POST /problems/{id}/comment (workflow action)", "/api/v1/problems/{id}/comment", coordinator,
                   {"text": "请尽快处理"}, problems)]
        rates: dict[str, list[float]] = {name: [] for name, *_ in routes}
        failures: dict[str, int] = {name: 0 for name, *_ in routes}
        load = []
        run = 0
        for _ in range(args.repeat):
            for name, path, token, body, ids in routes:  # interleaved: the machine's load changes all alike
                run += 1
                rate, failed = _wrk(base, path, token or "-", body, args.seconds, work, run, ids)
                rates[name].append(rate)
                failures[name] += failed
                load.append(os.getloadavg()[0])
        bare = statistics.median(rates[routes[0][0]])
        print(f"\n{args.database}, {WRITERS} writers (wrk 2 threads × {WRITERS} connections, {args.seconds} s each, "
              f"{args.repeat} repetition(s), median), gunicorn 2 × 4 gthread + flask deliver")
        print(f"machine: {os.cpu_count()} cores, 1-min load during the runs {min(load):.1f}–{max(load):.1f}")
        print("| route | req/s | ratio to the one-insert route | failed |")
        print("| --- | --- | --- | --- |")
        for name, *_ in routes:
            rate = statistics.median(rates[name])
            print(f"| {name} | {rate:.0f} | {rate / bare:.2f} | {failures[name]} |")
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
