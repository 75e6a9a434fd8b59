"""Where the time of one write goes: `POST /visits` with a nested problem and the workflow action
`POST /problems/{id}/comment`, and `POST /problems` (docs/scale.md, "写入吞吐").

    .venv/bin/python bench/profile_write.py [--requests 200] [--route visits|comment|problems|all] [--database sqlite:///…]

Builds a demo database in a temporary folder (unless --database names one holding the demo data), as
bench/profile_list.py does, and sends N requests through Flask's test client under cProfile with the app's every
hook: a liaison's visits (a new Idempotency-Key each time, as the phone sends them), a coordinator's comments
round-robin over 50 problems of one county, and a liaison's `POST /problems` (the create of the peer comparison). It prints the SQL statements per request (counted at the cursor) and
the share of each part of the request (inclusive times of the functions that stand for it). Figures are ratios
within one run: the machine is shared, so absolute times vary. PROFILE_TOP=N prints the N heaviest functions."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from profile_list import PASSWORD, _build_database, _config, profile_requests  # noqa: E402

# Part of the request → functions (module path fragment, function name) whose inclusive time stands for it.
PARTS = {
    "authentication (api/auth.py authenticate_request)": [("api/auth.py", "authenticate_request")],
    "per-user rate limit (flask-limiter before_request)": [("flask_limiter/_extension.py", "_check_request_limit")],
    "Idempotency-Key: fingerprint and claim (api/idempotency.py before)": [("api/idempotency.py", "before")],
    "Idempotency-Key: the answer stored (api/idempotency.py after)": [("api/idempotency.py", "after")],
    "view: argument parsing (webargs/marshmallow load)": [("webargs/core.py", "parse")],
    "view: the visit (services/visits.py create_visit)": [("services/visits.py", "create_visit")],
    "  of which each nested problem (services/problems/commands.py file_problem)": [
        ("services/problems/commands.py", "file_problem")],
    "view: the filing (services/problems/commands.py create_problem)": [
        ("services/problems/commands.py", "create_problem")],
    "view: the action (services/problems/commands.py take_action)": [
        ("services/problems/commands.py", "take_action")],
    "  of which the ORM flushes (sqlalchemy/orm/session.py flush)": [("sqlalchemy/orm/session.py", "flush")],
    "  of which the 日调度 figures (services/figures.py _settle)": [("services/figures.py", "_settle")],
    "  of which the commit (sqlalchemy/orm/session.py commit)": [("sqlalchemy/orm/session.py", "commit")],
    "view: serialisation (marshmallow dump)": [("marshmallow/schema.py", "dump")],
    "JSON encoding (flask json.response)": [("flask/json/provider.py", "response")],
    "ETag, security headers (api/hooks.py _finish)": [("api/hooks.py", "_finish")],
    "compression (flask-compress after_request)": [("flask_compress/flask_compress.py", "after_request")],
    "session teardown (flask-sqlalchemy remove)": [("sqlalchemy/orm/scoping.py", "remove")],
}


def _login(client, username: str) -> dict:
    token = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD}).get_json()
    return {"Authorization": f"Bearer {token['access_token']}", "Accept-Encoding": "gzip"}


def _requests(app, client, route: str):
    """(warm-up count, a function sending request i) for the route."""
    from services.db import db

    liaison = _login(client, "liaison_ma")
    coordinator = _login(client, "lxx_coord")
    with app.app_context():
        from sqlalchemy import select

        from services.models import Enterprise
        enterprise = db.session.scalar(select(Enterprise.id).where(Enterprise.name.like("%清河源%")))
    visited_at = (datetime.now(timezone(timedelta(hours=8))) - timedelta(hours=1)).isoformat()
    visit = {"enterprise_id": enterprise, "method": "on_site", "visited_at": visited_at, "summary": "压测走访",
             "latitude": 35.6, "longitude": 103.2, "accuracy_m": 12,
             "problems": [{"category": "labor", "title": "缺熟练工", "scope": "county"}]}
    if route == "problems":  # the create the peer comparison measures (docs/scale.md, django-helpdesk)
        def create(i):
            response = client.post("/api/v1/problems", headers=liaison, json={
                "enterprise_id": enterprise, "category": "financing", "title": f"压测问题 {i}", "scope": "county"})
            assert response.status_code == 201, response.status_code
        return create
    if route == "visits":
        def send(i):
            response = client.post("/api/v1/visits", json=visit, headers={**liaison, "Idempotency-Key": f"pw-{i}"})
            assert response.status_code == 201, response.status_code
        return send
    problems = []
    plain = {"Authorization": coordinator["Authorization"]}
    for n in range(50):
        response = client.post("/api/v1/problems", headers=plain, json={
            "enterprise_id": enterprise, "category": "financing", "title": f"压测问题 {n}", "scope": "county"})
        assert response.status_code == 201, response.get_json()
        problems.append(response.get_json()["id"])

    def comment(i):
        response = client.post(f"/api/v1/problems/{problems[i % len(problems)]}/comment", json={"text": "请尽快处理"},
                               headers=coordinator)
        assert response.status_code in (200, 201), response.status_code
    return comment


def profile(url: str, folder: Path, route: str, n: int) -> None:
    from sqlalchemy import event

    from api import create_app
    from services.db import db

    app = create_app(_config(url, folder))
    client = app.test_client()
    send = _requests(app, client, route)
    for i in range(10):  # warm: caches, compiled statements, first-use imports
        send(-1 - i)
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *_args: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    send(10_000_000)
    event.remove(engine, "before_cursor_execute", listener)
    profile_requests(send, n, PARTS,
                     lambda wall: f"POST {route}: {n} requests through the test client, {wall / n * 1000:.2f} ms each "
                                  f"under the profiler (cProfile roughly doubles Python time), {len(statements)} SQL "
                                  "statements each", width=76)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--route", choices=("visits", "comment", "problems", "all"), default="all")
    parser.add_argument("--database", help="a migrated database holding the demo data (default: built afresh)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lqt-profile-write-"))
    try:
        url = args.database or _build_database(folder)
        for route in (("visits", "comment", "problems") if args.route == "all" else (args.route,)):
            profile(url, folder, route, args.requests)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
