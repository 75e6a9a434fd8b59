"""日调度 at scale: GET /dashboard's p50 as a ratio to the one-select route's p50, in the same run.

Builds a migrated SQLite (or --database-url PostgreSQL) database with the demo data plus N synthetic problems
(events, stints, a spread over the demo's counties and the last --days days) and visits, rebuilds the kept
figures (services.figures.rebuild_all, as `flask bench-data` does after loading), serves it with gunicorn as
`make run` does (2 gthread workers) with the one-select route mounted beside the app (bench/scale_app.py, as bench/scale.py serves it), and
times, one request after another, the one-select route, the dashboard of a prefecture and of the province.
Three repetitions; prints min and median of each p50 and the ratios. With --reference it also times, in process,
the timeline query the kept figures replaced (tests/services/dashboard/reference.py) against the new one.

Usage: .venv/bin/python bench/dashboard.py [--problems 20000] [--requests 60] [--reference]
Prints figures; asserts nothing."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))

STATUSES = ("pending", "in_progress", "awaiting_info", "resolved", "closed", "rejected", "withdrawn")
CATEGORIES = ("labor", "financing", "production", "supply", "sales", "logistics", "policy", "other")


def env_for(work: Path, database_url: str | None) -> dict:
    return {**os.environ, "FLASK_APP": "wsgi", "INSTANCE_DIR": str(work),
            "DATABASE_URL": database_url or f"sqlite:///{work}/bench.db",
            "API_RATE_LIMIT": "1000000 per minute", "LOGIN_RATE_LIMIT": "1000 per minute"}


def build(env: dict, problems: int, days: int) -> None:
    subprocess.run([BIN / "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([BIN / "flask", "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ.update(env)
    from sqlalchemy import func, insert, select

    from api import create_app
    from services.db import db
    from services.figures import rebuild_all
    from services.problems.scope import fill_problem_regions
    from services.models import Enterprise, Problem, ProblemEvent, ProblemStint, Region, Visit

    app = create_app()
    rng = random.Random(18)
    now = datetime.now(timezone.utc)
    with app.app_context():
        counties = list(db.session.scalars(select(Region.id).where(Region.level == "county")))
        liaison = db.session.scalar(select(func.min(Visit.liaison_id)))
        firms = [{"name": f"压测企业{i}", "credit_code": f"91620000BENCH{i:05d}", "entity_type": "company",
                  "scale": "small", "industry": "C", "region_id": counties[i % len(counties)]}
                 for i in range(max(problems // 5, 1))]
        db.session.execute(insert(Enterprise), firms)
        firm_ids = list(db.session.execute(select(Enterprise.id, Enterprise.region_id)
                                           .where(Enterprise.name.like("压测企业%"))))
        first = (db.session.scalar(select(func.max(Problem.id))) or 0) + 1
        rows, events, stints, visits = [], [], [], []
        for n in range(problems):
            pid = first + n
            firm, county = firm_ids[n % len(firm_ids)]
            created = now - timedelta(days=rng.uniform(0, days))
            status = rng.choice(STATUSES)
            accepted = created + timedelta(hours=rng.uniform(1, 60)) if status != "pending" else None
            resolved = accepted + timedelta(days=rng.uniform(1, 20)) if status in ("resolved", "closed") else None
            closed = resolved + timedelta(days=rng.uniform(0, 5)) if status == "closed" else None
            rows.append({"id": pid, "number": f"BENCH-{pid:08d}", "enterprise_id": firm, "source": "liaison",
                         "category": rng.choice(CATEGORIES), "title": "压测问题", "scope": "county", "level": "county",
                         "owning_region_id": county, "status": status, "arrived_at": created,
                         "acceptance_due_at": created + timedelta(days=2), "due_at": created + timedelta(days=15),
                         "accepted_at": accepted, "resolved_at": resolved, "closed_at": closed,
                         "created_at": created, "updated_at": closed or resolved or accepted or created})
            events.append({"problem_id": pid, "action": "create", "to_status": "pending", "to_level": "county",
                           "at": created})
            for action, to_status, at in (("accept", "in_progress", accepted), ("resolve", "resolved", resolved),
                                          ("feedback", "closed", closed)):
                if at is not None:
                    events.append({"problem_id": pid, "action": action, "to_status": to_status, "to_level": "county",
                                   "at": at})
            if status in ("awaiting_info", "rejected", "withdrawn"):
                events.append({"problem_id": pid, "action": status, "to_status": status, "to_level": "county",
                               "at": (accepted or created) + timedelta(hours=2)})
            end = closed or (accepted + timedelta(hours=2) if status in ("rejected", "withdrawn") else None)
            stints.append({"problem_id": pid, "region_id": county, "level": "county", "arrived_at": created,
                           "acceptance_due_at": created + timedelta(days=2), "accepted_at": accepted,
                           "due_at": created + timedelta(days=15), "left_at": end, "paused_seconds": 0})
            if n % 3 == 0 and liaison is not None:
                visits.append({"enterprise_id": firm, "liaison_id": liaison, "method": "phone",
                               "visited_at": created, "summary": "压测走访"})
        for start in range(0, problems, 5000):
            db.session.execute(insert(Problem), rows[start:start + 5000])
        for table, batch in ((ProblemEvent, events), (ProblemStint, stints), (Visit, visits)):
            for start in range(0, len(batch), 5000):
                db.session.execute(insert(table), batch[start:start + 5000])
        fill_problem_regions()  # the scope columns a bulk insert leaves empty (the figures and the tasks read them)
        db.session.commit()
        started = time.perf_counter()
        counted = rebuild_all()
        print(f"built: {problems} problems, {len(events)} events, {len(visits)} visits; "
              f"figures rebuilt in {time.perf_counter() - started:.1f} s ({counted})")
        db.session.remove()


def serve(env: dict) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([BIN / "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
                               "--worker-class", "gthread", "--no-control-socket", "bench.scale_app:application"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return server, base
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def measure(base: str, count: int) -> dict[str, list[float]]:
    import requests

    def login(username: str):
        session = requests.Session()
        answer = session.post(base + "/api/v1/auth/login", json={"username": username, "password": "Demo@2026"})
        session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        return session

    bare, prefecture, province = requests.Session(), login("lx_coord"), login("gs_coord")
    routes = {"one-select": (bare, base + "/bench/one/1"),
              "dashboard (prefecture)": (prefecture, base + "/api/v1/dashboard"),
              "dashboard (province)": (province, base + "/api/v1/dashboard")}
    for session, url in routes.values():  # warm: connections, caches, the first request of a session
        for _ in range(3):
            assert session.get(url, timeout=120).status_code == 200
    times: dict[str, list[float]] = {name: [] for name in routes}
    for _ in range(count):
        for name, (session, url) in routes.items():
            started = time.perf_counter()
            session.get(url, timeout=120)
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def in_process(env: dict, count: int) -> None:
    """The timeline query (the reference) against the kept figures, in process, both as the province's desk."""
    os.environ.update(env)
    from sqlalchemy import select

    from api import create_app
    from services import dashboard as kept
    from services.actors import Actor
    from services.db import db
    from services.models import User
    from tests.services.dashboard import reference

    app = create_app()
    with app.app_context():
        for username in ("lx_coord", "gs_coord"):
            actor = Actor.for_user(db.session.scalar(select(User).where(User.username == username)))
            for name, module in (("timeline query", reference), ("kept figures", kept)):
                laps = []
                for _ in range(count):
                    started = time.perf_counter()
                    module.dashboard(actor=actor)
                    laps.append((time.perf_counter() - started) * 1000)
                    db.session.rollback()
                print(f"in process, {username}, {name}: p50 {statistics.median(laps):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=20000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a fresh SQLite file)")
    parser.add_argument("--reference", action="store_true", help="also time the old timeline query in process")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lqt-bench-dashboard-") as tmp:
        env = env_for(Path(tmp), args.database_url)
        build(env, args.problems, args.days)
        if args.reference:
            in_process(env, 5)
        server, base = serve(env)
        try:
            runs = [measure(base, args.requests) for _ in range(3)]
        finally:
            server.terminate()
            server.wait(10)
    p50 = {name: [statistics.median(run[name]) for run in runs] for name in runs[0]}
    print(f"\n{args.problems} problems, {args.requests} requests per route per repetition, 3 repetitions")
    print("| route | p50 min (ms) | p50 median (ms) | ratio to one-select (median) |")
    print("| --- | --- | --- | --- |")
    base_p50 = statistics.median(p50["one-select"])
    for name, values in p50.items():
        print(f"| {name} | {min(values):.2f} | {statistics.median(values):.2f} | "
              f"{statistics.median(values) / base_p50:.1f}× |")


if __name__ == "__main__":
    sys.exit(main())
