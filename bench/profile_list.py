"""Where the time of one authenticated `GET /problems?limit=20` goes (docs/scale.md).

    .venv/bin/python bench/profile_list.py [--requests 300] [--database sqlite:///…]

Builds a demo database in a temporary folder (unless --database names one holding the demo data), signs in
as lxx_coord and sends the list N times through Flask's test client under cProfile, with the production
settings that matter here: the shared SQLite-file rate-limit storage, gzip for clients that accept it and
the app's every hook. It prints the share of each part of the request (inclusive times of the functions that
stand for it), then the same N requests through a real gunicorn (1 worker, 1 thread, so nothing queues) with
a keep-alive HTTP client, to show what the server and HTTP add. Figures are ratios within one run: the
machine is shared, so absolute times vary."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Demo@2026"

# Part of the request → functions (module path fragment, function name) whose inclusive time stands for it.
PARTS = {
    "request id, input guard, read intent (api/hooks.py _start)": [("api/hooks.py", "_start")],
    "authentication (api/auth.py authenticate_request)": [("api/auth.py", "authenticate_request")],
    "  of which the one SQL statement (check_token)": [("services/accounts/sessions.py", "check_token")],
    "  of which the refusal-budget test (rate-limit storage)": [("limits/strategies.py", "test")],
    "  of which JWT decode and verify (PyJWT)": [("jwt/api_jwt.py", "decode_complete")],
    "per-user rate limit (flask-limiter before_request)": [("flask_limiter/_extension.py", "_check_request_limit")],
    "view: argument parsing (webargs/marshmallow load)": [("webargs/core.py", "parse")],
    "view: the page query (services/paging.py paginate)": [("services/paging.py", "paginate")],
    "view: serialisation (marshmallow dump)": [("marshmallow/schema.py", "dump")],
    "JSON encoding (flask json.response)": [("flask/json/provider.py", "response")],
    "ETag, security headers (api/hooks.py _finish)": [("api/hooks.py", "_finish")],
    "rate-limit headers (flask-limiter after_request)": [("flask_limiter/_extension.py", "__inject_headers")],
    "compression (flask-compress after_request)": [("flask_compress/flask_compress.py", "after_request")],
    "session teardown (flask-sqlalchemy remove)": [("flask_sqlalchemy/session.py", "_app_ctx_id"),
                                                   ("sqlalchemy/orm/scoping.py", "remove")],
}


def _build_database(folder: Path) -> str:
    from api import create_app
    from services.db import db

    url = f"sqlite:///{folder / 'bench.db'}"
    app = create_app(_config(url, folder))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        from services.demo import load

        load(upload_dir=folder / "uploads")
        db.session.remove()
        db.engine.dispose()
    return url


def _config(url: str, folder: Path) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": folder, "UPLOAD_DIR": folder / "uploads",
            "RATELIMIT_STORAGE_URI": f"sqlite-file://{folder / 'ratelimit.db'}", "API_RATE_LIMIT": "100000 per minute",
            "JWT_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789", "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024, "SESSION_FLUSH_SECONDS": 30, "LOG_LEVEL": "WARNING"}


def _matches(code, fragment: str, name: str) -> bool:
    return code[2] == name and code[0].replace(os.sep, "/").endswith(fragment)


def profile_test_client(url: str, folder: Path, n: int) -> None:
    from api import create_app

    app = create_app(_config(url, folder))
    client = app.test_client()
    token = client.post("/api/v1/auth/login", json={"username": "lxx_coord", "password": PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {token['access_token']}", "Accept-Encoding": "gzip"}
    path = "/api/v1/problems?limit=20"
    for _ in range(20):  # warm: caches, compiled statements, first-use imports
        assert client.get(path, headers=headers).status_code == 200
    profile_requests(lambda _i: client.get(path, headers=headers), n, PARTS,
                     lambda wall: f"through the test client: {n} requests, {wall / n * 1000:.2f} ms each under the "
                                  "profiler (cProfile roughly doubles Python time)", show_empty=True)


def profile_requests(send, n: int, parts: dict, heading, *, width: int = 64, show_empty: bool = False) -> None:
    """Send N requests (send(i)) under cProfile and print each part's share of the time inside the test client
    (inclusive times of the functions that stand for it), then all SQL execution; PROFILE_TOP / PROFILE_CALLEES
    print the costliest functions / the callees of a pattern. heading(wall seconds) is printed first. Shared by
    bench/profile_detail.py and bench/profile_write.py."""
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for i in range(n):
        send(i)
    profiler.disable()
    wall = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    total = sum(v[3] for k, v in stats.stats.items() if _matches(k, "werkzeug/test.py", "open")) or wall
    print(f"\n{heading(wall)}")
    print(f"{'part':{width}s} {'share':>6s} {'ms/request':>10s}")
    for part, functions in parts.items():
        inclusive = sum(v[3] for k, v in stats.stats.items() for fragment, name in functions
                        if _matches(k, fragment, name))
        if inclusive or show_empty:
            print(f"{part:{width}s} {inclusive / total:6.1%} {inclusive / n * 1000:10.3f}")
    sql = sum(v[3] for k, v in stats.stats.items() if _matches(k, "sqlalchemy/engine/default.py", "do_execute"))
    print(f"{'all SQL execution (DBAPI cursor.execute)':{width}s} {sql / total:6.1%} {sql / n * 1000:10.3f}")
    if os.environ.get("PROFILE_TOP"):
        stats.sort_stats("cumulative").print_stats(int(os.environ["PROFILE_TOP"]))
    if os.environ.get("PROFILE_CALLEES"):
        stats.sort_stats("cumulative").print_callees(os.environ["PROFILE_CALLEES"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def time_gunicorn(url: str, folder: Path, n: int) -> None:
    import requests

    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_DIR": str(folder), "UPLOAD_DIR": str(folder / "uploads"),
           "RATELIMIT_STORAGE_URI": f"sqlite-file://{folder / 'ratelimit.db'}", "API_RATE_LIMIT": "100000 per minute",
           "JWT_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789", "ARGON2_TIME_COST": "1",
           "ARGON2_MEMORY_COST": "1024", "LOG_LEVEL": "WARNING", "APP_ENV": "development"}
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{port}", "--worker-class",
                               "gthread", "--workers", "1", "--threads", "1",
                               "bench.scale_app:application"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                requests.get(base + "/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        http = requests.Session()
        token = http.post(base + "/api/v1/auth/login", json={"username": "lxx_coord", "password": PASSWORD}).json()
        http.headers["Authorization"] = f"Bearer {token['access_token']}"
        timings = {}
        first = http.get(base + "/api/v1/problems?limit=1").json()["items"][0]["id"]
        routes = [("GET /healthz (no hooks' work, no database)", "/healthz"),
                  ("one-select route (beside the app, bench/scale_app.py)", f"/bench/one/{first}"),
                  ("GET /api/v1/problems?limit=20", "/api/v1/problems?limit=20"),
                  (f"GET /api/v1/problems/{first}", f"/api/v1/problems/{first}")]
        for label, path in routes:
            for _ in range(20):
                http.get(base + path)
            started = time.perf_counter()
            for _ in range(n):
                assert http.get(base + path).status_code == 200
            timings[label] = (time.perf_counter() - started) / n * 1000
        print(f"\nthrough gunicorn (1 worker × 1 thread, keep-alive client), {n} requests each, no profiler:")
        one = timings[routes[1][0]]
        for label, ms in timings.items():
            print(f"  {label:56s} {ms:7.2f} ms   one-select / this {one / ms:5.2f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database", help="a migrated database holding the demo data (default: built afresh)")
    parser.add_argument("--no-gunicorn", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lqt-profile-"))
    try:
        url = args.database or _build_database(folder)
        profile_test_client(url, folder, args.requests)
        if not args.no_gunicorn:
            time_gunicorn(url, folder, args.requests)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
