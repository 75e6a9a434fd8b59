"""联企通 beside the peer a user would pick: django-helpdesk's DRF API, same database kind, same server line.

Both servers run as `make run` serves us: gunicorn, 2 gthread workers × 4 threads, on this machine, at the
same time; wrk measures each in turn in the same run, at each size:

- the bare route of each server (ours `/healthz`, the peer's `/bare`: a Django view without database or
  authentication) — each server's own ceiling;
- create: ours `POST /api/v1/problems` (liaison_ma, a problem of 清河源), the peer's `POST /helpdesk/api/tickets/`
  (a ticket in its queue), 8 connections;
- list: ours `GET /api/v1/problems?limit=20` as the province coordinator (the whole province in scope), the
  peer's first page `GET /helpdesk/api/tickets/` (25 tickets) as its superuser (every ticket in scope). The
  peer's list costs one query per ticket of the whole scope (`TicketViewSet.get_queryset` calls
  `set_custom_field_values()` on every ticket before paging), so a page takes seconds to minutes: it is
  measured with 2 connections and a wrk timeout of several times its first page's time.

Rows are loaded in bulk SQL between sizes: tickets straight into helpdesk_ticket; our problems (with one stint
each) spread over the demo's enterprises on top of the demo data. `flask bench-data` (issue 18, another
branch) replaces `fill_ours` when merged.

Usage (wrk needed; the peer's venv bench/peer/.venv is made on first use from bench/peer/requirements.txt):
    .venv/bin/python bench/peer/run.py                         # SQLite files, 10 k and 100 k rows
    scripts/with-postgres.sh .venv/bin/python bench/peer/run.py --database postgres
    .venv/bin/python bench/peer/run.py --sizes 10000,100000,1000000 --ours-only-above 100000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BIN = Path(sys.executable).parent
PEER_VENV = HERE / ".venv"
PEER_BIN = PEER_VENV / "bin"
sys.path.insert(0, str(ROOT))

PROBLEM = {"category": "production", "scope": "county", "title": "停电影响生产",
           "description": "园区线路检修，企业连续三天停产，请协调供电部门"}
TICKET = {"title": "停电影响生产", "description": "园区线路检修，企业连续三天停产，请协调供电部门",
          "submitter_email": "ops@example.com", "priority": 3}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_peer_venv() -> None:
    if (PEER_BIN / "gunicorn").exists() and (PEER_BIN / "python").exists():
        return
    print("creating the peer's venv (bench/peer/.venv) from bench/peer/requirements.txt", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    subprocess.run([str(PEER_BIN / "pip"), "install", "-q", "-r", str(HERE / "requirements.txt")], check=True)


# -- ours -----------------------------------------------------------------------------------------------
def ours_env(url: str, work: Path) -> dict:
    return {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": url, "INSTANCE_DIR": str(work / "ours"),
            "UPLOAD_DIR": str(work / "ours" / "uploads"), "API_RATE_LIMIT": "1000000 per minute",
            "LOGIN_RATE_LIMIT": "1000 per minute", "RATELIMIT_STORAGE_URI": f"sqlite-file://{work}/ratelimit.db"}


def prepare_ours(url: str, work: Path) -> None:
    env = ours_env(url, work)
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([str(BIN / "flask"), *command], cwd=ROOT, env=env, check=True, capture_output=True)


def fill_ours(url: str, work: Path, total: int) -> int:
    """Bring our problems up to `total` with the data generator (`flask bench-data`: the realistic spread over
    14 prefectures and 82 counties, with events, stints, tasks and visits; one enterprise per five problems),
    appending to what an earlier size loaded. Returns how many problems the database holds."""
    from sqlalchemy import func, select

    from api import create_app
    from services import benchdata
    from services.db import db
    from services.models import Problem

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": work / "ours", "UPLOAD_DIR": work / "ours"})
    with app.app_context():
        have = db.session.scalar(select(func.count()).select_from(Problem))
        if total > have:
            more = total - have
            benchdata.generate(problems=more, enterprises=max(1, more // 5), append=benchdata.has_bench_data(),
                               log=lambda line: print(f"      {line}", flush=True))
        count = db.session.scalar(select(func.count()).select_from(Problem))
        db.session.remove()
        db.engine.dispose()
    return count


# -- the peer -------------------------------------------------------------------------------------------
SETUP = """
import json, django
django.setup()
from django.contrib.auth.models import User
from django.contrib.sites.models import Site
from rest_framework.authtoken.models import Token
from helpdesk.models import Queue
user, _ = User.objects.get_or_create(username="bench", defaults={"is_staff": True, "is_superuser": True,
                                                                  "email": "bench@example.com"})
queue, _ = Queue.objects.get_or_create(slug="ops", defaults={"title": "企业诉求"})
token, _ = Token.objects.get_or_create(user=user)
print(json.dumps({"token": token.key, "queue": queue.id}))
"""


def peer_env(url: str | None, work: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH"))}
    env.update({"DJANGO_SETTINGS_MODULE": "peersite.settings", "PYTHONPATH": str(HERE)})
    if url:
        env["PEER_DATABASE_URL"] = url
    else:
        env["PEER_SQLITE"] = str(work / "peer.db")
    return env


def prepare_peer(url: str | None, work: Path) -> dict:
    env = peer_env(url, work)
    subprocess.run([str(PEER_BIN / "python"), "-m", "django", "migrate", "-v0"], cwd=HERE, env=env, check=True)
    out = subprocess.run([str(PEER_BIN / "python"), "-c", SETUP], cwd=HERE, env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def fill_peer(url: str | None, work: Path, queue: int, total: int) -> int:
    """Bring helpdesk_ticket up to `total` rows in bulk (status Open, one queue)."""
    now = datetime.now(timezone.utc)
    columns = ("title", "created", "modified", "submitter_email", "status", "on_hold", "description", "priority",
               "queue_id", "secret_key")

    def rows(start, stop):
        for n in range(start, stop):
            at = now - timedelta(days=n % 300, minutes=n % 1440)
            yield (f"对比工单 {n}", at, at, "ops@example.com", 1, False, "批量生成的工单，用于对比。", 3, queue,
                   str(uuid.uuid4()))

    insert = f"INSERT INTO helpdesk_ticket ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    if url:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=False) as c:
            have = c.execute("SELECT count(*) FROM helpdesk_ticket").fetchone()[0]
            with c.cursor() as cursor:
                for start in range(have, total, 10000):
                    cursor.executemany(insert, list(rows(start, min(total, start + 10000))))
            c.commit()
            return c.execute("SELECT count(*) FROM helpdesk_ticket").fetchone()[0]
    connection = sqlite3.connect(work / "peer.db")
    have = connection.execute("SELECT count(*) FROM helpdesk_ticket").fetchone()[0]
    connection.executemany(insert.replace("%s", "?"),
                           ((t, c.isoformat(sep=" "), m.isoformat(sep=" "), *rest) for t, c, m, *rest in
                            rows(have, total)))
    connection.commit()
    count = connection.execute("SELECT count(*) FROM helpdesk_ticket").fetchone()[0]
    connection.close()
    return count


# -- servers and wrk ------------------------------------------------------------------------------------
def serve(name: str, gunicorn: Path, app: str, cwd: Path, env: dict, work: Path, health: str) -> tuple:
    port = free_port()
    log = (work / f"{name}.log").open("w")
    # The line of `make run` (scripts/serve.sh) for both servers: 2 gthread workers × 4 threads.
    process = subprocess.Popen([str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
                                "--worker-class", "gthread", "--timeout", "600", "--no-control-socket", app],
                               cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(base + health, timeout=2):
                break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError((work / f"{name}.log").read_text()) from None
            time.sleep(0.1)
    time.sleep(2)  # gthread: both workers accepting before any load
    return process, base


def request(method: str, url: str, body=None, headers=None, timeout=600) -> tuple[int, object, float]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    started = time.monotonic()
    with urllib.request.urlopen(req, timeout=timeout) as answer:
        payload = answer.read()
        return answer.status, json.loads(payload or b"null"), time.monotonic() - started


def lua(work: Path, method: str, body: dict | None, headers: dict) -> Path:
    lines = [f'wrk.method = "{method}"']
    for key, value in headers.items():
        lines.append(f'wrk.headers["{key}"] = "{value}"')
    if body is not None:
        lines.append("wrk.body = " + json.dumps(json.dumps(body, ensure_ascii=True)))
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    path = work / f"wrk-{uuid.uuid4().hex[:6]}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


def wrk(url: str, seconds: float, connections: int, script: Path | None = None, timeout: float = 10) -> dict:
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
               f"--timeout={max(1, round(timeout))}s", "--latency"]
    if script:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    took, unit = re.search(r"requests in ([\d.]+)(us|ms|s|m|h),", out).groups()
    took = float(took) * {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}[unit]
    bad = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s|m|h)\b", out)
    scale = {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4, "h": 3.6e6}
    return {"rps": (total - bad) / took if took else 0.0, "requests": total, "non_2xx": bad, "errors": errors,
            "p50_ms": float(p50.group(1)) * scale[p50.group(2)] if p50 and total - bad else None}


def measure(size: int, ours: dict, peer: dict | None, seconds: float, work: Path) -> list[dict]:
    rows = []

    def add(route, server, result):
        rows.append({"size": size, "route": route, "server": server, **result})
        p50 = f"{result['p50_ms']:.1f} ms" if result["p50_ms"] is not None else "—"
        print(f"  {size:>9,}  {server:<6} {route:<7} {result['rps']:>9.1f} req/s  p50 {p50:<12} "
              f"({result['requests']} requests, {result['non_2xx']} non-2xx, {result['errors']} socket errors)",
              flush=True)

    add("bare", "ours", wrk(ours["base"] + "/healthz", seconds, 32))
    if peer:
        add("bare", "peer", wrk(peer["base"] + "/bare", seconds, 32))
    add("create", "ours", wrk(ours["base"] + "/api/v1/problems", seconds, 8, lua(work, "POST", {
        **PROBLEM, "enterprise_id": ours["enterprise_id"]}, {"Authorization": f"Bearer {ours['writer']}"})))
    if peer:
        add("create", "peer", wrk(peer["base"] + "/helpdesk/api/tickets/", seconds, 8, lua(work, "POST", {
            **TICKET, "queue": peer["queue"]}, {"Authorization": f"Token {peer['token']}"})))
    add("list", "ours", wrk(ours["base"] + "/api/v1/problems?limit=20", seconds, 32,
                            lua(work, "GET", None, {"Authorization": f"Bearer {ours['reader']}"})))
    if peer:
        # One page first: its time sets the run (two pages per connection at least) and wrk's timeout.
        page = request("GET", peer["base"] + "/helpdesk/api/tickets/",
                       headers={"Authorization": f"Token {peer['token']}"})[2]
        print(f"  {size:>9,}  peer   one page of the list took {page:.1f} s", flush=True)
        add("list", "peer", wrk(peer["base"] + "/helpdesk/api/tickets/", max(seconds, 2.2 * page + 1), 2,
                                lua(work, "GET", None, {"Authorization": f"Token {peer['token']}"}),
                                timeout=max(30, 4 * page)))
    return rows


def _rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.3f}"


def _ratio(ours: float, peer: float) -> str:
    if not peer:
        return "∞ (no page in time)"
    value = ours / peer
    return f"{value:,.0f}×" if value >= 10 else f"{value:.2f}×"


def _p50(row: dict | None) -> str:
    return f"{row['p50_ms']:,.1f} ms" if row and row["p50_ms"] is not None else "—"


def table(rows: list[dict]) -> str:
    out = ["| rows | route | 联企通 req/s | django-helpdesk req/s | ratio | 联企通 p50 | django-helpdesk p50 |",
           "| --- | --- | --- | --- | --- | --- | --- |"]
    names = {"bare": "bare route (no database)", "create": "create (POST)", "list": "list, first page"}
    for size in sorted({r["size"] for r in rows}):
        for route in ("bare", "create", "list"):
            ours = next((r for r in rows if r["size"] == size and r["route"] == route and r["server"] == "ours"), None)
            peer = next((r for r in rows if r["size"] == size and r["route"] == route and r["server"] == "peer"), None)
            if not ours:
                continue
            ratio = _ratio(ours["rps"], peer["rps"]) if peer else "—"
            out.append(f"| {size:,} | {names[route]} | {_rate(ours['rps'])} | "
                       f"{_rate(peer['rps'])} | {ratio} | {_p50(ours)} | {_p50(peer)} |" if peer else
                       f"| {size:,} | {names[route]} | {_rate(ours['rps'])} | — | — | {_p50(ours)} | — |")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="rows of each side, comma-separated, ascending")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=8, help="wrk duration of the fast routes")
    parser.add_argument("--ours-only-above", type=int, default=None,
                        help="sizes above this measure only 联企通 (the peer's page would take minutes)")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is needed (apt-get install wrk)", file=sys.stderr)
        return 3
    ensure_peer_venv()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="lqt-peer."))
    processes = []
    try:
        if args.database == "postgres":
            import psycopg

            server = os.environ.get("TEST_DATABASE_URL")
            if not server:
                print("--database postgres: run inside scripts/with-postgres.sh", file=sys.stderr)
                return 3
            base = server.rsplit("/", 1)[0]
            with psycopg.connect(server.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as c:
                for name in ("lqt_peer_ours", "lqt_peer_helpdesk"):
                    c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    c.execute(f'CREATE DATABASE "{name}"')
            ours_url, peer_url = f"{base}/lqt_peer_ours", f"{base}/lqt_peer_helpdesk"
        else:
            ours_url, peer_url = f"sqlite:///{work}/ours.db", None
        print(f"preparing both databases ({args.database}) in {work}", flush=True)
        prepare_ours(ours_url, work)
        peer_setup = prepare_peer(peer_url, work)
        ours_process, ours_base = serve("ours", BIN / "gunicorn", "wsgi:app", ROOT, ours_env(ours_url, work), work,
                                        "/healthz")
        processes.append(ours_process)
        peer_process, peer_base = serve("peer", PEER_BIN / "gunicorn", "peersite.wsgi:application", HERE,
                                        peer_env(peer_url, work), work, "/bare")
        processes.append(peer_process)
        writer = request("POST", ours_base + "/api/v1/auth/login", {"username": "liaison_ma", "password": "Demo@2026"})
        reader = request("POST", ours_base + "/api/v1/auth/login", {"username": "gs_coord", "password": "Demo@2026"})
        from sqlalchemy import create_engine, text

        engine = create_engine(ours_url)
        with engine.connect() as c:
            enterprise_id = c.execute(text("SELECT id FROM enterprises WHERE name LIKE '%清河源%' ORDER BY id")).scalar()
        engine.dispose()
        ours = {"base": ours_base, "writer": writer[1]["access_token"], "reader": reader[1]["access_token"],
                "enterprise_id": enterprise_id}
        peer = {"base": peer_base, **peer_setup}
        rows = []
        for size in sizes:
            started = time.monotonic()
            have_ours = fill_ours(ours_url, work, size)
            with_peer = args.ours_only_above is None or size <= args.ours_only_above
            have_peer = fill_peer(peer_url, work, peer["queue"], size) if with_peer else None
            print(f"{size:,} rows: ours {have_ours:,} problems, peer {have_peer if have_peer is not None else '—'} "
                  f"tickets (loaded in {time.monotonic() - started:.0f} s)", flush=True)
            rows += measure(size, ours, peer if with_peer else None, args.seconds, work)
        print()
        print(table(rows))
        lists = {(r["server"], r["size"]): r for r in rows if r["route"] == "list"}
        if len(sizes) > 1:
            low, high = sizes[0], sizes[-1]
            for server in ("ours", "peer"):
                a, b = lists.get((server, low)), lists.get((server, high))
                if a and b and a["p50_ms"] and b["p50_ms"]:
                    print(f"{server}: list p50 at {high:,} ÷ at {low:,} = {b['p50_ms'] / a['p50_ms']:.2f} "
                          f"(rows × {high / low:g})")
        if args.json:
            Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
