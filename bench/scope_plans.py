"""Throwaway ledger at scale and the plans of its lists: `python bench/scope_plans.py fill|explain …`.

fill: on a migrated database holding the demo data (DATABASE_URL), add ENTERPRISES enterprises spread evenly
over the demo's counties and PROBLEMS problems (statuses, categories and ages mixed) with INSERT … SELECT
over generate_series (PostgreSQL) or a recursive CTE (SQLite), with their scope columns (fill_problem_regions()
would set them in a second pass; it finds nothing left here), then ANALYZE.
Until `flask bench-data` exists this is how docs/scale.md got its rows; it is not that generator (no
events, stints, tasks or visits).

explain: for a county, a prefecture and the province coordinator of the demo, runs the ledger's own page query
(services.problems.queries.problem_page, captured as it executes) for each list filter, first page and a
cursor deep in the ledger, and prints EXPLAIN ANALYZE (PostgreSQL) or EXPLAIN QUERY PLAN with the time of
one run (SQLite), and the same for `?count=true`."""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, select, text  # noqa: E402

from api import create_app  # noqa: E402
from services.actors import Actor  # noqa: E402
from services.db import db  # noqa: E402
from services.models import Enterprise, Problem, Region, User  # noqa: E402
from services.models.problems import SCOPE_LEVELS, region_ancestry  # noqa: E402
from services.paging import _encode  # noqa: E402
from services.problems import detail, queries, scope  # noqa: E402

STATUSES = ["closed"] * 6 + ["in_progress"] * 2 + ["pending", "resolved"]
CATEGORIES = ["labor", "financing", "production", "supply", "sales", "logistics", "policy", "other"]
FILTERS = {
    "no filter": {},
    "status=pending": {"status": "pending"},
    "category=financing": {"category": "financing"},
    "status=pending&category=financing": {"status": "pending", "category": "financing"},
    "status=in_progress,pending": {"status": ["in_progress", "pending"]},
}
ACTORS = {"county (lxx_coord)": "lxx_coord", "prefecture (lx_coord)": "lx_coord", "province (gs_coord)": "gs_coord"}


def _case(expression: str, values: list) -> str:
    whens = " ".join(f"WHEN {i} THEN {v!r}" if isinstance(v, str) else f"WHEN {i} THEN {v}"
                     for i, v in enumerate(values))
    return f"(CASE ({expression}) % {len(values)} {whens} END)"


def _numbers(postgres: bool, start: int, stop: int) -> str:
    if postgres:
        return f"(SELECT generate_series({start}, {stop - 1}) AS i) AS s"
    return (f"(WITH RECURSIVE s(i) AS (SELECT {start} UNION ALL SELECT i + 1 FROM s WHERE i < {stop - 1}) "
            "SELECT i FROM s) AS s")


def fill(enterprises: int, problems: int, chunk: int = 100_000) -> None:
    postgres = db.engine.dialect.name == "postgresql"
    counties = list(db.session.scalars(select(Region.id).where(Region.level == "county").order_by(Region.id)))
    paths = dict(db.session.execute(select(Region.id, Region.path).where(Region.id.in_(counties))).all())
    ancestry = [region_ancestry(paths[c]) for c in counties]
    base = (db.session.scalar(select(func.max(Enterprise.id))) or 0) + 1
    first_problem = (db.session.scalar(select(func.max(Problem.id))) or 0) + 1
    county_of = _case(f"(s.i - {base})", counties)
    pad = "lpad(s.i::text, 17, '0')" if postgres else "printf('%017d', s.i)"
    now = "now() at time zone 'utc'" if postgres else "datetime('now')"
    started = time.perf_counter()
    for start in range(base, base + enterprises, chunk):
        stop = min(start + chunk, base + enterprises)
        db.session.execute(text(
            "INSERT INTO enterprises (id, name, credit_code, entity_type, scale, industry, region_id, address, "
            "contact_name, contact_phone, operating_status, employees, version, created_at, updated_at) "
            f"SELECT s.i, 'bench-' || s.i, 'B' || {pad}, 'enterprise', 'small', 'C', {county_of}, '', '', '', "
            f"'resumed', 10, 1, {now}, {now} FROM {_numbers(postgres, start, stop)}"))
        db.session.commit()
    print(f"{enterprises} enterprises in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    ago = ("(now() at time zone 'utc') - make_interval(secs => ({end} - s.i) * 60)" if postgres
           else "datetime('now', '-' || (({end} - s.i) * 60) || ' seconds')")
    end = first_problem + problems
    for start in range(first_problem, end, chunk):
        stop = min(start + chunk, end)
        firm = f"(((s.i % {enterprises}) * 7919) % {enterprises})"
        where = ", ".join(_case(firm, [a[f"{level}_id"] for a in ancestry]) for level in SCOPE_LEVELS)
        created = ago.format(end=end)
        db.session.execute(text(
            "INSERT INTO problems (id, number, enterprise_id, source, category, title, description, scope, urgency, "
            "level, owning_region_id, status, arrived_at, supervised, reopen_count, closed_without_feedback, "
            "version, created_at, updated_at, province_id, prefecture_id, county_id) "
            f"SELECT s.i, 'BENCH-' || s.i, {base} + {firm}, 'liaison', {_case('s.i / 7', CATEGORIES)}, "
            f"'批量问题 ' || s.i, '', 'county', 'normal', 'county', {_case(firm, counties)}, "
            f"{_case('s.i / 3 + s.i / 101', STATUSES)}, {created}, false, 0, false, 1, {created}, {created}, {where} "
            f"FROM {_numbers(postgres, start, stop)}"))
        # The rows carry their scope columns already (computed above, one write per row); anything the
        # INSERT left empty would be filled here, as a generator that leaves them NULL does.
        filled = scope.fill_problem_regions()
        db.session.commit()
        print(f"problems up to {stop}: {filled} left to fill, {time.perf_counter() - started:.0f} s", flush=True)
    if postgres:
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('problems', 'id'), (SELECT max(id) FROM problems))"))
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('enterprises', 'id'), "
                                "(SELECT max(id) FROM enterprises))"))
        db.session.commit()
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    print(f"ANALYZE done, {time.perf_counter() - started:.0f} s", flush=True)


class Captured:
    """The statements (SQL text and parameters) the app sends while a block runs."""

    def __init__(self):
        self.statements = []

    def __call__(self, _conn, _cursor, statement, parameters, _context, _many):
        self.statements.append((statement, parameters))

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self)


def page_statements(actor: Actor, filters: dict, cursor: str | None = None, count: bool = False):
    """The SQL of one ledger page as problem_page sends it: the page's SELECT and the count's, if any."""
    with Captured() as captured:
        queries.problem_page(actor=actor, limit=20, cursor=cursor, count=count, **filters)
    db.session.rollback()
    page = [(s, p) for s, p in captured.statements if s.lstrip().startswith("SELECT problems.")][:1]
    counts = [(s, p) for s, p in captured.statements if "count(" in s.lower() or "problem_counts" in s]
    return page + counts


def plan(statement: str, parameters, postgres: bool) -> tuple[list[str], float]:
    """The plan of one statement and the wall time of running it once (after the EXPLAIN warmed the cache)."""
    prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " if postgres else "EXPLAIN QUERY PLAN "
    connection = db.session.connection()
    rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    lines = [r[0] for r in rows] if postgres else [f"{'  ' * (r[1] > 0)}{r[-1]}" for r in rows]
    started = time.perf_counter()
    connection.exec_driver_sql(statement, parameters).all()
    elapsed = (time.perf_counter() - started) * 1000
    db.session.rollback()
    return lines, elapsed


def explain() -> None:
    postgres = db.engine.dialect.name == "postgresql"
    total = db.session.scalar(select(func.count(Problem.id)))
    print(f"# {db.engine.dialect.name}: {total} problems\n")
    for label, username in ACTORS.items():
        user = db.session.scalar(select(User).where(User.username == username))
        actor = Actor.for_user(user)
        ids = list(db.session.scalars(select(Problem.id).where(queries.problem_clause(actor)).order_by(Problem.id)
                                      .offset(scope_size(actor) // 2).limit(1)))
        deep = _encode("-id", ids) if ids else None
        for name, filters in FILTERS.items():
            for depth, cursor in (("first page", None), ("cursor at the middle", deep)):
                (statement, parameters), *_ = page_statements(actor, filters, cursor)
                lines, ms = plan(statement, parameters, postgres)
                print(f"## {label}, {name}, {depth}: {_timing(lines, ms)}\n")
                print("```\n" + "\n".join(lines) + "\n```\n")
            counted = page_statements(actor, filters, count=True)[1:]
            for statement, parameters in counted:
                lines, ms = plan(statement, parameters, postgres)
                print(f"## {label}, {name}, count: {_timing(lines, ms)}\n")
                print("```\n" + "\n".join(lines) + "\n```\n")
        problem_id, enterprise_id = db.session.execute(
            select(Problem.id, Problem.enterprise_id).where(queries.problem_clause(actor))
            .order_by(Problem.id.desc()).offset(scope_size(actor) // 3).limit(1)).one()
        db.session.rollback()
        for name, call in ((f"GET /problems/{{id}} (id {problem_id})",
                            partial(detail.read_problem, actor=actor, problem_id=problem_id)),
                           (f"GET /enterprises/{{id}}/problems (enterprise {enterprise_id})",
                            partial(queries.enterprise_problem_page, actor=actor, enterprise_id=enterprise_id,
                                    limit=20))):
            with Captured() as captured:
                call()
            db.session.rollback()
            statement, parameters = next((s, p) for s, p in captured.statements
                                         if s.lstrip().startswith("SELECT problems."))
            lines, ms = plan(statement, parameters, postgres)
            print(f"## {label}, {name}: {_timing(lines, ms)}\n")
            print("```\n" + "\n".join(lines) + "\n```\n")


def _timing(lines: list[str], ms: float) -> str:
    """PostgreSQL: the execution time EXPLAIN ANALYZE measured; SQLite: one run's wall time."""
    executed = [line.split(": ")[1] for line in lines if line.startswith("Execution Time")]
    return f"{executed[0]} (EXPLAIN ANALYZE)" if executed else f"{ms:.2f} ms (one run)"


def scope_size(actor: Actor) -> int:
    return db.session.scalar(select(func.count(Problem.id)).where(queries.problem_clause(actor)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    filling = sub.add_parser("fill")
    filling.add_argument("--enterprises", type=int, default=20_000)
    filling.add_argument("--problems", type=int, default=100_000)
    sub.add_parser("explain")
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        if args.command == "fill":
            fill(args.enterprises, args.problems)
        else:
            explain()


if __name__ == "__main__":
    main()
