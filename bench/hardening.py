"""Figures for the hardening of issue 10, as ratios measured in one run (the machine is shared and noisy).

1. Sign-in timing: wrong password for a real user vs an unknown username vs a locked account, production
   argon2 cost, through the app in-process (median of N).
2. A flood of 2,000 bad-token requests through a real server: how many 401 before 429, chained audit rows
   written, and the cost of a 429 relative to a 401.
3. The `make run` line (1 process × 8 threads) vs 2 sync workers vs 2 × 4 gthread, GET /api/v1/me with wrk.

Usage: .venv/bin/python bench/hardening.py [--sign-in] [--flood] [--lines]   (all three by default; SQLite in a
temp folder; wrk for the lines)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))


def _environment(work: Path) -> dict:
    return {**os.environ, "FLASK_APP": "wsgi", "INSTANCE_DIR": str(work), "DATABASE_URL": f"sqlite:///{work}/b.db",
            "API_RATE_LIMIT": "1000000 per minute", "LOGIN_RATE_LIMIT": "1000000 per minute",
            "RATELIMIT_STORAGE_URI": f"sqlite-file://{work}/ratelimit.db"}


def _seed(env: dict) -> None:
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([str(BIN / "flask"), *command], cwd=ROOT, env=env, check=True, capture_output=True)


def sign_in_timing(rounds: int = 30) -> None:
    from api import create_app
    from api.extensions import limiter

    app = create_app()
    client = app.test_client()

    def reset() -> None:
        with app.app_context():
            from sqlalchemy import delete, update

            from services.db import db
            from services.models import LoginFailure, User

            db.session.execute(update(User).values(failed_logins=0, locked_until=None))
            db.session.execute(delete(LoginFailure))
            db.session.commit()
            limiter.reset()

    times: dict[str, list[float]] = {"lxx_coord": [], "nobody_at_all": []}
    for n in range(rounds):
        if n % 4 == 0:  # stay under the lockout: failures 1–4, then reset the counters
            reset()
        # Interleaved, so that the shared machine's load changes both alike.
        for username in (("lxx_coord", "nobody_at_all") if n % 2 else ("nobody_at_all", "lxx_coord")):
            started = time.perf_counter()
            client.post("/api/v1/auth/login", json={"username": username, "password": "Wrong@2026"})
            times[username].append(time.perf_counter() - started)
    real, unknown = statistics.median(times["lxx_coord"]), statistics.median(times["nobody_at_all"])
    print(f"sign-in, wrong password: real user {real * 1000:.1f} ms, unknown user {unknown * 1000:.1f} ms, "
          f"ratio unknown/real {unknown / real:.2f}")


def anonymous_flood(env: dict, requests_sent: int = 2000) -> None:
    import requests
    from sqlalchemy import create_engine, text

    from api import create_app
    from tests.conftest import serving

    app = create_app({"ANONYMOUS_RATE_LIMIT": "60 per minute"})
    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM audit_log")).scalar()
    statuses, durations = {}, {401: [], 429: []}
    with serving(app) as base, requests.Session() as http:
        for n in range(requests_sent):
            started = time.perf_counter()
            status = http.get(f"{base}/api/v1/problems", headers={"Authorization": f"Bearer bad.{n}"}).status_code
            durations.setdefault(status, []).append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
    with engine.connect() as conn:
        chained = conn.execute(text("SELECT count(*) FROM audit_log")).scalar() - before
        tallied = conn.execute(text("SELECT coalesce(sum(count), 0) FROM refusal_tallies")).scalar()
    ratio = statistics.median(durations[429]) / statistics.median(durations[401]) if durations[429] else float("nan")
    print(f"{requests_sent} bad-token requests: {statuses}; chained audit rows {chained}, tallied refusals "
          f"{tallied}; a 429 costs {ratio:.2f} of a 401")


def server_lines(env: dict) -> None:
    if not shutil.which("wrk"):
        print("wrk not installed (apt-get install wrk): server lines not measured")
        return
    import json
    import urllib.request

    gthread = [str(BIN / "gunicorn"), "--workers", "2", "--threads", "4", "--worker-class", "gthread"]
    lines = {"make run (2 × 4 gthread, shared sqlite-file limiter)": ([str(ROOT / "scripts/serve.sh")], {}),
             "2 × 4 gthread, per-process memory limiter": (gthread, {"RATELIMIT_STORAGE_URI": "memory://"}),
             "1 × 8 gthread, memory limiter": ([*gthread[:2], "1", "--threads", "8", "--worker-class", "gthread"],
                                               {"RATELIMIT_STORAGE_URI": "memory://"}),
             "2 sync workers, shared sqlite-file limiter": (
                 [str(BIN / "gunicorn"), "--workers", "2", "--worker-class", "sync"], {})}
    results = {}
    for name, (command, extra) in lines.items():
        port = "5097"
        if command[0].endswith("gunicorn"):
            command = [*command, "--bind", f"127.0.0.1:{port}", "wsgi:app"]
        process = subprocess.Popen(command, cwd=ROOT, env={**env, **extra, "PORT": port, "VENV": str(BIN.parent)},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            time.sleep(2)
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/auth/login", method="POST",
                                             data=json.dumps({"username": "lx_coord", "password": "Demo@2026"}).encode(),
                                             headers={"Content-Type": "application/json"})
            token = json.load(urllib.request.urlopen(request))["access_token"]
            out = subprocess.run(["wrk", "-t2", "-c32", "-d8s", "-H", f"Authorization: Bearer {token}",
                                  f"http://127.0.0.1:{port}/api/v1/me"], capture_output=True, text=True).stdout
            results[name] = float(next(line.split()[1] for line in out.splitlines() if "Requests/sec" in line))
        finally:
            process.terminate()
            process.wait(timeout=15)
    first = next(iter(results.values()))
    for name, rate in results.items():
        print(f"GET /api/v1/me, {name}: {rate:.0f} req/s, ratio to make run {rate / first:.2f}")


if __name__ == "__main__":
    work = Path(tempfile.mkdtemp(prefix="lqt-hardening."))
    try:
        env = _environment(work)
        _seed(env)
        os.environ.update(env)  # before the app's configuration is first imported
        parts = [a.lstrip("-") for a in sys.argv[1:]] or ["sign-in", "flood", "lines"]
        if "sign-in" in parts:
            sign_in_timing()
        if "flood" in parts:
            anonymous_flood(env)
        if "lines" in parts:
            server_lines(env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
