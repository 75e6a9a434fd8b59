"""Issue 18's table: every route as a ratio to the one-select route, measured in the same run on a large
bench data set (`flask bench-data`), served as `make run` serves (or as the README's production line does).

    .venv/bin/python bench/scale.py --db sqlite --problems 100000 --enterprises 20000
    scripts/with-postgres.sh .venv/bin/python bench/scale.py --db postgres --problems 1000000 --enterprises 200000

The one-select route (/bench/one/<id>: one primary-key SELECT on problems through Flask + Flask-SQLAlchemy,
no token) and a bare route (no database) are mounted beside the app in the same gunicorn process
(bench/scale_app.py, werkzeug's DispatcherMiddleware). Load: wrk, 2 threads × 32 connections, Lua scripts for
tokens, POST bodies and walking cursors; every route --rounds times (rounds interleave the routes, so each
round's figures come from the same minute); the table shows min/median req/s, the median p50, the ratio of
the median req/s (or of the p50, where the target is one) to the one-select route's, and PASS/FAIL against
the issue's target. --workdir keeps the database, so a second run skips the (long) generation.
Prints figures and writes them as JSON beside the database; asserts nothing."""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PASSWORD = "Demo@2026"
API = "/api/v1"

# wrk's Lua: a random path from a list per request, the token in a header; POST bodies from templates;
# a cursor walk that follows next_cursor and starts again at the end.
PATHS_LUA = """
local paths = {%(paths)s}
wrk.headers["Authorization"] = "Bearer %(token)s"
wrk.headers["Accept-Encoding"] = "gzip"
%(post)s
request = function()
  return wrk.format(nil, paths[math.random(#paths)])
end
"""
POST_LUA = """
local bodies = {%(bodies)s}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
wrk.headers["Accept-Encoding"] = "gzip"
local paths = {%(paths)s}
request = function()
  return wrk.format("POST", paths[math.random(#paths)], nil, bodies[math.random(#bodies)])
end
"""
WALK_LUA = """
wrk.headers["Authorization"] = "Bearer %(token)s"
wrk.headers["Accept-Encoding"] = "identity"
local base = "%(path)s"
local cursor = nil
request = function()
  if cursor then return wrk.format(nil, base .. "&cursor=" .. cursor) end
  return wrk.format(nil, base)
end
response = function(status, headers, body)
  local found = string.match(body, '"next_cursor"%%s*:%%s*"([^"]+)"')
  cursor = found
end
"""


@dataclass
class Route:
    """One row of the table: what wrk loads, and the issue's target for it."""

    name: str
    script: str | None  # a Lua file, or None for a plain GET of `path`
    path: str
    target: str = "—"  # ratio>=x | p50<=x*page | p50<=x*one | ''
    versus: str | None = None  # the row a p50 target compares with
    rates: list[float] = field(default_factory=list)
    p50s: list[float] = field(default_factory=list)
    errors: list[int] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lua_list(items) -> str:
    return ", ".join(json.dumps(i, ensure_ascii=False) for i in items)


def env_for(args, work: Path) -> dict:
    url = args.database_url
    return {**os.environ, "FLASK_APP": "wsgi", "INSTANCE_DIR": str(work), "DATABASE_URL": url,
            "API_RATE_LIMIT": "100000000 per minute", "LOGIN_RATE_LIMIT": "100000 per minute",
            "ANONYMOUS_RATE_LIMIT": "100000000 per minute", "PUBLIC_RATE_LIMIT": "100000000 per minute",
            # A run at 1 M outlasts the 15-minute token: the tokens the scripts carry stay valid throughout
            # (the lifetime costs nothing per request).
            "ACCESS_TOKEN_MINUTES": "600", "IDLE_TIMEOUT_MINUTES": "600"}


def prepare(args, work: Path) -> None:
    """Migrate, seed the demo and load the bench data, unless the database already holds bench data."""
    env = env_for(args, work)
    run = lambda *cmd: subprocess.run([str(BIN / "flask"), *cmd], cwd=ROOT, env=env, check=True,  # noqa: E731
                                      capture_output=True, text=True)
    run("db", "upgrade")
    run("seed-demo")
    probe = subprocess.run([str(BIN / "python"), "-c", "from api import create_app\nfrom services import benchdata\n"
                            "app = create_app()\nwith app.app_context(): print(benchdata.has_bench_data())"],
                           cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    if probe.stdout.strip().endswith("True"):
        print("数据库已有压测数据，跳过生成", flush=True)
        return
    started = time.monotonic()
    print(f"生成压测数据：{args.problems} 个问题，{args.enterprises} 家企业……", flush=True)
    subprocess.run([str(BIN / "flask"), "bench-data", "--problems", str(args.problems), "--enterprises",
                    str(args.enterprises)], cwd=ROOT, env=env, check=True)
    print(f"生成用时 {time.monotonic() - started:.0f} 秒", flush=True)


def fixtures(args, work: Path) -> dict:
    """What the scripts need from the database: visible ids, a liaison and its enterprises, scope sizes."""
    code = r"""
import json, random
from sqlalchemy import func, select
from api import create_app
from services.db import db
from services.models import Assignment, Enterprise, Problem, Region, User
app = create_app()
rng = random.Random(18)
with app.app_context():
    def subtree(code):
        path = db.session.scalar(select(Region.path).where(Region.code == code))
        return Problem.enterprise_id.in_(select(Enterprise.id).join(Region, Region.id == Enterprise.region_id)
                                         .where(Region.path.startswith(path)))
    out = {"counts": {}}
    for code in ("622921", "622900", "620000"):
        out["counts"][code] = db.session.scalar(select(func.count()).select_from(Problem).where(subtree(code)))
    ids = list(db.session.scalars(select(Problem.id).where(subtree("622900")).order_by(Problem.id)))
    out["prefecture_ids"] = rng.sample(ids, min(500, len(ids)))
    county = db.session.scalar(select(Region.id).where(Region.code == "622921"))
    held = list(db.session.scalars(select(Problem.id).where(Problem.owning_region_id == county)
                                   .order_by(Problem.id.desc()).limit(2000)))
    out["county_held_ids"] = rng.sample(held, min(300, len(held)))
    liaison = db.session.scalar(select(User.username).where(User.username.like("bench_liaison_622921_%"))
                                .order_by(User.id))
    user_id = db.session.scalar(select(User.id).where(User.username == liaison))
    out["liaison"] = liaison
    out["liaison_enterprises"] = list(db.session.scalars(select(Assignment.enterprise_id).where(
        Assignment.user_id == user_id, Assignment.ended_on.is_(None))))
    print(json.dumps(out))
"""
    done = subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env_for(args, work), capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def serve(args, work: Path) -> tuple[list[subprocess.Popen], str]:
    """gunicorn as scripts/serve.sh starts it (gthread; 2 workers × 4 threads, the access log on, one delivery
    worker beside it) — or, --server production, as the README's production line (4 × 4, and the delivery
    worker that runs as its own service there: it sends the outbox, seals the audit chain and runs the export
    jobs)."""
    env = env_for(args, work)
    port = free_port()
    workers = "2" if args.server == "make" else "4"
    log = open(work / "gunicorn.log", "ab")  # noqa: SIM115 - lives as long as the server
    processes = [subprocess.Popen([str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--worker-class", "gthread",
                                   "--workers", workers, "--threads", "4", "--access-logfile",
                                   str(work / "access.log") if args.server == "make" else "/dev/null",
                                   "bench.scale_app:application"], cwd=ROOT, env=env, stdout=log, stderr=log)]
    # Both lines have a delivery worker: make run starts one, production runs it as a service.
    processes.append(subprocess.Popen([str(BIN / "flask"), "deliver"], cwd=ROOT, env=env, stdout=log, stderr=log))
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if requests.get(f"{base}/bench/bare", timeout=5).ok:
                break
        except requests.RequestException:
            time.sleep(0.2)
    else:
        raise SystemExit(f"服务未能启动，见 {work / 'gunicorn.log'}")
    time.sleep(2)  # gthread: every worker accepting before the load
    return processes, base


def login(base: str, username: str) -> str:
    response = requests.post(f"{base}{API}/auth/login", json={"username": username, "password": PASSWORD}, timeout=30)
    response.raise_for_status()
    return response.json()["access_token"]


def deep_cursor(base: str, token: str, pages: int) -> tuple[str, int]:
    """The cursor after `pages` pages of the province's list (how deep it got, if the list is shorter)."""
    cursor, depth = None, 0
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        for depth in range(1, pages + 1):  # noqa: B007 - the depth reached is reported
            params = {"limit": 20, **({"cursor": cursor} if cursor else {})}
            page = session.get(f"{base}{API}/problems", params=params, timeout=60).json()
            if not page.get("next_cursor"):
                break
            cursor = page["next_cursor"]
    return cursor or "", depth


def routes(args, work: Path, base: str, data: dict) -> list[Route]:
    """Every row of the issue's table (plus a workflow action and a liaison's sync), their Lua scripts written."""
    tokens = {name: login(base, name) for name in ("lxx_coord", "lx_coord", "gs_coord", data["liaison"])}

    def script(name: str, template: str, **values) -> str:
        path = work / f"{name}.lua"
        path.write_text(template % values, encoding="utf-8")
        return str(path)

    def gets(name: str, token: str, paths: list[str]) -> str:
        return script(name, PATHS_LUA, paths=lua_list(paths), token=token, post="")

    one_ids = data["prefecture_ids"]
    cursor, depth = deep_cursor(base, tokens["gs_coord"], args.deep_pages)
    now = time.strftime("%Y-%m-%dT%H:%M:%S+08:00")
    visit_bodies = [json.dumps({"enterprise_id": e, "method": "phone", "visited_at": now, "summary": "压测走访",
                                "problems": [{"category": "labor", "title": "压测：用工缺口", "description": "压测",
                                              "scope": "county"}]}, ensure_ascii=False)
                    for e in data["liaison_enterprises"][:50]]
    comment = json.dumps({"text": "压测留言"}, ensure_ascii=False)
    lst = f"{API}/problems?limit=20"
    table = [
        Route("bare route (no DB)", gets("bare", "-", ["/bench/bare"]), "/bench/bare"),
        Route("one-select route", gets("one", "-", [f"/bench/one/{i}" for i in one_ids]), "/bench/one"),
        Route("GET /problems?limit=20 county", gets("list_county", tokens["lxx_coord"], [lst]), lst, "ratio>=0.5"),
        Route("GET /problems?limit=20 prefecture", gets("list_prefecture", tokens["lx_coord"], [lst]), lst,
              "ratio>=0.5"),
        Route("GET /problems?limit=20 province", gets("list_province", tokens["gs_coord"], [lst]), lst, "ratio>=0.5"),
        Route("… status+category (county)",
              gets("list_filtered", tokens["lxx_coord"], [f"{lst}&status=in_progress&category=financing"]),
              f"{lst}&status=in_progress&category=financing", "ratio>=0.5"),
        Route("… ?count=true (prefecture)", gets("list_count", tokens["lx_coord"], [f"{lst}&count=true"]),
              f"{lst}&count=true", "p50<=2*page", versus="GET /problems?limit=20 prefecture"),
        Route(f"… deep cursor (province, page {depth + 1})",
              gets("list_deep", tokens["gs_coord"], [f"{lst}&cursor={cursor}" if cursor else lst]), lst, "ratio>=0.5"),
        Route("… walking cursors (prefecture)", script("list_walk", WALK_LUA, token=tokens["lx_coord"], path=lst),
              lst, "ratio>=0.5"),
        Route("GET /problems/{id} (prefecture)",
              gets("detail", tokens["lx_coord"], [f"{API}/problems/{i}" for i in one_ids]), f"{API}/problems/{{id}}",
              "ratio>=0.5"),
        Route("POST /visits + nested problem (liaison)",
              script("visits", POST_LUA, bodies=lua_list(visit_bodies), token=tokens[data["liaison"]],
                     paths=lua_list([f"{API}/visits"])), f"{API}/visits", "ratio>=0.25"),
        Route("POST /problems/{id}/comment (county)",
              script("comment", POST_LUA, bodies=lua_list([comment]), token=tokens["lxx_coord"],
                     paths=lua_list([f"{API}/problems/{i}/comment" for i in data["county_held_ids"]])),
              f"{API}/problems/{{id}}/comment"),
        Route("GET /sync (liaison, first page)", gets("sync", tokens[data["liaison"]], [f"{API}/sync?limit=50"]),
              f"{API}/sync?limit=50"),
        Route("GET /dashboard prefecture", gets("dash_prefecture", tokens["lx_coord"], [f"{API}/dashboard"]),
              f"{API}/dashboard", "p50<=5*one", versus="one-select route"),
        Route("GET /dashboard province", gets("dash_province", tokens["gs_coord"], [f"{API}/dashboard"]),
              f"{API}/dashboard", "p50<=5*one", versus="one-select route"),
    ]
    return table


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def _connections_by_process(port: int) -> dict[str, int]:
    """How many established connections to `port` each server process holds (ss -tnp)."""
    try:
        done = subprocess.run(["ss", "-tnpH", "state", "established", f"( sport = :{port} )"], capture_output=True,
                              text=True)
    except FileNotFoundError:  # no iproute2: runs are not checked
        return {}
    return dict(Counter(re.findall(r"pid=(\d+)", done.stdout)))


def wrk(base: str, script: str, duration: int, threads: int, connections: int,
        workers: int = 1) -> tuple[float, float, int]:
    """req/s, p50 in ms and the count of non-2xx/3xx answers plus socket errors of one wrk run.

    gunicorn's gthread workers race to accept wrk's connections, all opened at once: now and then one worker
    takes (nearly) all of them, and the run measures one core of two — for every route alike, one-select
    included (seen: 256 instead of 690 req/s for the same list, back to back). Phones and nginx do not open
    their connections in one burst, so such a run says nothing about the route: when one process holds more
    than 90 % of the connections a second into the run, the run is taken again (at most four times)."""
    port = int(base.rsplit(":", 1)[1])
    for attempt in range(4):
        run = subprocess.Popen(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "60s",
                                "--latency", "-s", script, base], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        time.sleep(min(1.0, duration / 3))
        held = _connections_by_process(port)
        out, err = run.communicate()
        if workers > 1 and held and max(held.values()) > 0.9 * sum(held.values()) and attempt < 3:
            print(f"    连接集中在一个 worker 上（{sorted(held.values())}），重测", flush=True)
            settle(base)
            continue
        break
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if run.returncode or not found:
        print(f"    wrk 失败（{run.returncode}）：{err.strip()[:200]}", flush=True)
        return 0.0, float("nan"), 1
    rate = float(found.group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s|m)\b", out)
    median = float(p50.group(1)) * UNITS[p50.group(2)] if p50 else float("nan")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return rate, median, errors


def settle(base: str, limit: float = 120.0) -> None:
    """Wait until the server has worked off what the last run left queued (a slow route keeps every thread
    busy after wrk stops): the bare route answers within 50 ms three times in a row."""
    deadline, quick = time.monotonic() + limit, 0
    while quick < 3 and time.monotonic() < deadline:
        started = time.monotonic()
        try:
            requests.get(f"{base}/bench/bare", timeout=limit)
        except requests.RequestException:
            pass
        quick = quick + 1 if time.monotonic() - started < 0.05 else 0
        time.sleep(0.05)


def export(base: str, token: str) -> dict:
    """The .xlsx of the caller's whole scope as an export job (POST /exports, polled, then downloaded): seconds
    to the job's first progress and to the file, how many distinct progress figures the caller saw, bytes,
    the final state. The delivery worker beside the server runs the job."""
    headers = {"Authorization": f"Bearer {token}"}
    started = time.monotonic()
    first = None
    seen: list[int] = []
    size = 0
    try:
        created = requests.post(f"{base}{API}/exports", json={"ledger": "problems", "format": "xlsx", "filters": {}},
                                headers=headers, timeout=60)
        if created.status_code != 202:
            return {"status": created.status_code, "first_byte_s": None, "total_s": time.monotonic() - started,
                    "bytes": 0, "progress_seen": 0}
        job = created.json()
        while job["state"] in ("queued", "running"):
            time.sleep(0.5)
            job = requests.get(f"{base}{API}/exports/{job['id']}", headers=headers, timeout=60).json()
            done = (job.get("progress") or {}).get("done") or 0
            if done and first is None:
                first = time.monotonic() - started
            if done and (not seen or seen[-1] != done):
                seen.append(done)
        status = job["state"]
        if status == "done":
            with requests.get(f"{base}{API}/exports/{job['id']}/file", headers=headers, stream=True,
                              timeout=3600) as response:
                for chunk in response.iter_content(65536):
                    size += len(chunk)
                status = response.status_code
    except requests.RequestException as error:
        status = f"cut off ({type(error).__name__})"
    return {"status": status, "first_byte_s": first, "total_s": time.monotonic() - started, "bytes": size,
            "progress_seen": len(seen)}


def verdict(route: Route, by_name: dict[str, Route], one: Route) -> tuple[str, str]:
    """(the figure the target is about, PASS/FAIL/—)."""
    rate = statistics.median(route.rates)
    p50 = statistics.median(route.p50s)
    if not rate or p50 != p50:
        return "no answers", "FAIL" if route.target != "—" else "—"
    if route.target.startswith("ratio>="):
        ratio = rate / statistics.median(one.rates)
        return f"{ratio:.2f}", "PASS" if ratio >= float(route.target[7:]) else "FAIL"
    if route.target.startswith("p50<="):
        factor, against = route.target[5:].split("*")
        other = statistics.median(by_name[route.versus].p50s)
        ratio = p50 / other
        return f"p50 {ratio:.1f}×", "PASS" if ratio <= float(factor) else "FAIL"
    return f"{rate / statistics.median(one.rates):.2f}", "—"


def report(args, table: list[Route], exports: list[dict], data: dict, machine: str) -> str:
    one = next(r for r in table if r.name == "one-select route")
    by_name = {r.name: r for r in table}
    lines = [f"# {args.db} · {args.problems} problems / {args.enterprises} enterprises · server {args.server} · "
             f"wrk {args.threads}×{args.connections}, {args.duration} s × {args.rounds} rounds · {machine}",
             f"# scope sizes: county {data['counts']['622921']}, prefecture {data['counts']['622900']}, "
             f"province {data['counts']['620000']}",
             "| route | req/s min / median | p50 ms (median) | vs one-select | target | result | errors |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for route in table:
        figure, result = verdict(route, by_name, one)
        target = {"ratio>=0.5": "≥ 0.5", "ratio>=0.25": "≥ 0.25", "p50<=2*page": "p50 ≤ 2× page",
                  "p50<=5*one": "p50 ≤ 5× one-select"}.get(route.target, "—")
        lines.append(f"| {route.name} | {_rate(min(route.rates))} / {_rate(statistics.median(route.rates))} | "
                     f"{statistics.median(route.p50s):.1f} | {figure} | {target} | {result} | {sum(route.errors)} |")
    if exports:
        ok = all(e["status"] == 200 for e in exports)
        total = statistics.median(e["total_s"] for e in exports)
        first = statistics.median(e["first_byte_s"] or 0 for e in exports)
        lines.append(f"| .xlsx export ({args.export_account}, {data['counts'][EXPORT_SCOPES[args.export_account]]} "
                     f"rows) | — | first progress {first:.1f} s, file {total:.1f} s, {exports[0]['bytes'] // 1024} KiB | — | "
                     f"never killed; progress visible | {'PASS' if ok and all(e['progress_seen'] for e in exports) else 'FAIL'}"
                     f" (status {', '.join(str(e['status']) for e in exports)}; progress figures seen: "
                     f"{', '.join(str(e['progress_seen']) for e in exports)}) | — |")
    return "\n".join(lines)


def _rate(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.2f}"


EXPORT_SCOPES = {"lxx_coord": "622921", "lx_coord": "622900", "gs_coord": "620000"}


def machine() -> str:
    cpus = os.cpu_count()
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()[0]
    return f"{cpus} CPU {model}, load {load:.1f} at the start"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--problems", type=int, default=20_000)
    parser.add_argument("--enterprises", type=int, default=4_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--server", choices=("make", "production"), default="make",
                        help="make: as `make run` (2 workers × 4 threads + a delivery worker); production: the "
                             "README's line (4 × 4)")
    parser.add_argument("--workdir", type=Path, help="keep the database here (a second run reuses it)")
    parser.add_argument("--deep-pages", type=int, default=100, help="how deep the deep-cursor row starts")
    parser.add_argument("--export-account", choices=tuple(EXPORT_SCOPES), default=None,
                        help="whose scope the .xlsx export covers (default: the one nearest 100 000 rows)")
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--export-rounds", type=int, default=1,
                        help="in how many of the rounds the export is downloaded (it is slow at scale)")
    parser.add_argument("--only", help="a regular expression: measure only the routes it matches (and the two "
                                       "reference routes)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("需要 wrk：apt-get install wrk")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="lqt-scale."))
    work.mkdir(parents=True, exist_ok=True)
    if args.db == "postgres":
        args.database_url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
        if not args.database_url.startswith("postgresql"):
            raise SystemExit("--db postgres：请在 scripts/with-postgres.sh 中运行（或设置 DATABASE_URL）")
    else:
        args.database_url = f"sqlite:///{work / 'bench.db'}"
    print(f"工作目录 {work}", flush=True)
    where = machine()
    prepare(args, work)
    data = fixtures(args, work)
    processes, base = serve(args, work)
    try:
        table = routes(args, work, base, data)
        if args.only:
            keep = re.compile(args.only)
            chosen = [r for r in table if keep.search(r.name)]
            wanted = {"bare route (no DB)", "one-select route", *(r.versus for r in chosen if r.versus)}
            table = [r for r in table if r in chosen or r.name in wanted]
        if args.export_account is None:
            args.export_account = min(EXPORT_SCOPES, key=lambda a: abs(data["counts"][EXPORT_SCOPES[a]] - 100_000))
        exports = []
        export_token = login(base, args.export_account)
        for round_no in range(1, args.rounds + 1):
            for route in random.Random(round_no).sample(table, len(table)):
                settle(base)
                rate, p50, errors = wrk(base, route.script, args.duration, args.threads, args.connections,
                                        workers=2 if args.server == "make" else 4)
                route.rates.append(rate)
                route.p50s.append(p50)
                route.errors.append(errors)
                print(f"  第 {round_no} 轮 {route.name}: {rate:.0f} req/s, p50 {p50:.1f} ms"
                      + (f", {errors} 个错误" if errors else ""), flush=True)
            if not args.no_export and round_no <= args.export_rounds:
                settle(base)
                exports.append(export(base, export_token))
                print(f"  第 {round_no} 轮 导出: {exports[-1]}", flush=True)
        text = report(args, table, exports, data, where)
        print(text)
        (work / f"scale-{args.db}.json").write_text(json.dumps(
            {"args": {k: str(v) for k, v in vars(args).items() if k != "database_url"}, "machine": where,
             "counts": data["counts"], "exports": exports,
             "routes": [{"name": r.name, "rates": r.rates, "p50_ms": r.p50s, "errors": r.errors, "target": r.target}
                        for r in table]}, ensure_ascii=False, indent=1), encoding="utf-8")
        (work / f"scale-{args.db}.md").write_text(text + "\n", encoding="utf-8")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
