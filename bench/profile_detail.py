"""Where the time of one authenticated `GET /problems/{id}` goes (docs/scale.md), like bench/profile_list.py
for the list.

    .venv/bin/python bench/profile_detail.py [--requests 300] [--account lxx_coord] [--database sqlite:///…]

Builds a demo database in a temporary folder (unless --database names one holding the demo data), signs in
(lxx_coord by default) and reads the problem of the account's scope with the longest timeline N times through
Flask's test client under cProfile, with the settings bench/profile_list.py uses (the shared SQLite-file
rate-limit storage, gzip, every hook of the app). Prints the statements of one request and the share of each
part (inclusive times of the functions that stand for it). PROFILE_TOP=40 also prints the 40 costliest
functions. Figures are ratios within one run: the machine is shared, so absolute times vary."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.profile_list import PASSWORD, _build_database, _config, profile_requests  # noqa: E402

PARTS = {
    "request id, input guard, read intent (api/hooks.py _start)": [("api/hooks.py", "_start")],
    "authentication (api/auth.py authenticate_request)": [("api/auth.py", "authenticate_request")],
    "per-user rate limit (flask-limiter before_request)": [("flask_limiter/_extension.py", "_check_request_limit")],
    "view: the read (services/problems/detail.py read_problem)": [("services/problems/detail.py", "read_problem")],
    "  of which the statements (Core execute)": [("services/problems/detail.py", "_rows")],
    "  of which allowed actions, visible events, tasks": [("services/problems/detail.py", "_present")],
    "view: serialisation (marshmallow dump)": [("marshmallow/schema.py", "dump")],
    "view: serialisation (api/serializers/problem_detail.py)": [("api/serializers/problem_detail.py", "dump_problem")],
    "JSON encoding (flask json.response / dumps)": [("flask/json/provider.py", "response"),
                                                    ("api/serializers/problem_detail.py", "json_response")],
    "ETag, security headers (api/hooks.py _finish)": [("api/hooks.py", "_finish")],
    "rate-limit headers (flask-limiter after_request)": [("flask_limiter/_extension.py", "__inject_headers")],
    "compression (flask-compress after_request)": [("flask_compress/flask_compress.py", "after_request")],
    "session teardown (flask-sqlalchemy remove)": [("flask_sqlalchemy/session.py", "_app_ctx_id"),
                                                   ("sqlalchemy/orm/scoping.py", "remove")],
}


def _richest_problem(app, account: str) -> int:
    """The id of the problem with the most events among those the account's region holds or sees."""
    from sqlalchemy import func, select

    from services.db import db
    from services.models import Problem, ProblemEvent, User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == account))
        stmt = select(Problem.id).join(ProblemEvent, ProblemEvent.problem_id == Problem.id)
        if user.region_id is not None:
            stmt = stmt.where(Problem.owning_region_id == user.region_id)
        problem_id = db.session.scalar(stmt.group_by(Problem.id).order_by(func.count().desc(), Problem.id).limit(1))
        db.session.remove()
    return problem_id


def profile(url: str, folder: Path, n: int, account: str) -> None:
    from sqlalchemy import event

    from api import create_app
    from services.db import db

    app = create_app(_config(url, folder))
    problem_id = _richest_problem(app, account)
    client = app.test_client()
    token = client.post("/api/v1/auth/login", json={"username": account, "password": PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {token['access_token']}", "Accept-Encoding": "gzip"}
    path = f"/api/v1/problems/{problem_id}"
    for _ in range(20):  # warm: caches, compiled statements, first-use imports
        assert client.get(path, headers=headers).status_code == 200
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, …)
    event.listen(engine, "before_cursor_execute", listener)
    body = client.get(path, headers=headers)
    event.remove(engine, "before_cursor_execute", listener)
    print(f"{path} as {account}: {len(body.data)} bytes gzip, {len(statements)} statements")
    for statement in statements:
        print("  ", " ".join(statement.split())[:150])
    profile_requests(lambda _i: client.get(path, headers=headers), n, PARTS,
                     lambda wall: f"through the test client: {n} requests, {wall / n * 1000:.2f} ms each under the "
                                  "profiler (cProfile roughly doubles Python time)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--account", default="lxx_coord")
    parser.add_argument("--database", help="a migrated database holding the demo data (default: built afresh)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lqt-profile-"))
    try:
        url = args.database or _build_database(folder)
        profile(url, folder, args.requests, args.account)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
