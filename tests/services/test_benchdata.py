"""`flask bench-data` at small scale, on the database the suite runs on (SQLite or PostgreSQL): the rows hang
together as the workflow would have left them, the demo accounts keep their scopes, and the API serves the
new rows. One load per module (on a private copy of the seeded database that no test resets)."""

from collections import Counter

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import func, select

from api import create_app
from services import benchdata
from services.db import db, utcnow
from services.errors import Conflict, ValidationFailed
from services.models import (Assignment, Enterprise, LedgerCounter, Problem, ProblemEvent, ProblemStint, Region,
                             Task, User, Visit)
from tests.conftest import _config, serving

PROBLEMS, ENTERPRISES = 2000, 400


@pytest.fixture(scope="module")
def bench_app(database, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    app = create_app(_config(database.clone("bench"), tmp))
    with app.app_context():
        before = {u.username: (u.role, u.region_id, u.department_id, u.enterprise_id)
                  for u in db.session.scalars(select(User))}
        before_assignments = sorted(db.session.execute(select(Assignment.user_id, Assignment.enterprise_id,
                                                              Assignment.kind)).all())
        seen = []
        benchdata.POST_LOAD_HOOKS.append(seen.append)
        try:
            result = CliRunner().invoke(args=["bench-data", "--problems", str(PROBLEMS), "--enterprises",
                                              str(ENTERPRISES)], cli=app.cli, catch_exceptions=False)
        finally:
            benchdata.POST_LOAD_HOOKS.remove(seen.append)
        assert result.exit_code == 0, result.output
        app.extensions["bench"] = {"before": before, "hooked": seen, "output": result.output,
                                   "assignments": before_assignments}
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def bench(bench_app):
    with bench_app.app_context():
        yield bench_app.extensions["bench"]
        db.session.rollback()
        db.session.remove()


def test_the_command_writes_the_requested_numbers_of_rows(bench):
    first, last = bench["hooked"][0].problems
    assert last - first + 1 == PROBLEMS
    assert db.session.scalar(select(func.count()).select_from(Problem).where(Problem.id.between(first, last))) == PROBLEMS
    low, high = bench["hooked"][0].enterprises
    assert db.session.scalar(select(func.count()).select_from(Enterprise)
                             .where(Enterprise.id.between(low, high))) == ENTERPRISES


def test_the_province_has_fourteen_prefectures_and_eighty_two_counties(bench):
    levels = Counter(db.session.scalars(select(Region.level)))
    assert levels == {"province": 1, "prefecture": 14, "county": 82}


def test_every_bench_enterprise_sits_in_a_county_and_has_one_current_liaison(bench):
    low, high = bench["hooked"][0].enterprises
    counties = set(db.session.scalars(select(Region.id).where(Region.level == "county")))
    regions = set(db.session.scalars(select(Enterprise.region_id).where(Enterprise.id.between(low, high))))
    assert regions <= counties
    liaisons = Counter(db.session.scalars(select(Assignment.enterprise_id).join(User, User.id == Assignment.user_id)
                                          .where(Assignment.enterprise_id.between(low, high),
                                                 Assignment.ended_on.is_(None), User.role == "liaison",
                                                 User.region_id == select(Enterprise.region_id).where(
                                                     Enterprise.id == Assignment.enterprise_id)
                                                 .scalar_subquery())))
    assert len(liaisons) == ENTERPRISES and set(liaisons.values()) == {1}


def test_every_problem_has_its_create_event_first_and_its_status_last(bench):
    first, last = bench["hooked"][0].problems
    events: dict[int, list[ProblemEvent]] = {}
    for event in db.session.scalars(select(ProblemEvent).where(ProblemEvent.problem_id.between(first, last))
                                    .order_by(ProblemEvent.id)):
        events.setdefault(event.problem_id, []).append(event)
    problems = {p.id: p for p in db.session.scalars(select(Problem).where(Problem.id.between(first, last)))}
    assert set(events) == set(problems)
    for pid, timeline in events.items():
        problem = problems[pid]
        assert timeline[0].action == "create" and timeline[0].to_status == "pending"
        assert timeline[-1].to_status == problem.status and timeline[-1].to_level == problem.level
        assert [e.at for e in timeline] == sorted(e.at for e in timeline)
        assert timeline[-1].at <= problem.updated_at and problem.version == len(timeline)


def test_each_problem_has_one_stint_per_level_held_and_only_settled_ones_have_none_running(bench):
    first, last = bench["hooked"][0].problems
    stints: dict[int, list[ProblemStint]] = {}
    for stint in db.session.scalars(select(ProblemStint).where(ProblemStint.problem_id.between(first, last))
                                    .order_by(ProblemStint.id)):
        stints.setdefault(stint.problem_id, []).append(stint)
    for problem in db.session.scalars(select(Problem).where(Problem.id.between(first, last))):
        held = stints[problem.id]
        assert held[-1].region_id == problem.owning_region_id and held[-1].level == problem.level
        assert all(s.left_by == "escalate" for s in held[:-1])
        running = held[-1].left_at is None
        assert running == (problem.status not in ("closed", "rejected", "withdrawn"))


def test_every_status_appears_and_closed_problems_are_most(bench):
    first, last = bench["hooked"][0].problems
    statuses = Counter(db.session.scalars(select(Problem.status).where(Problem.id.between(first, last))))
    assert set(statuses) == {"pending", "in_progress", "awaiting_info", "resolved", "closed", "rejected", "withdrawn"}
    assert statuses.most_common(1)[0][0] == "closed"
    levels = Counter(db.session.scalars(select(Problem.level).where(Problem.id.between(first, last))))
    assert set(levels) == {"county", "prefecture", "province"}


def test_ledger_numbers_are_unique_and_the_counters_continue_past_them(bench):
    numbers = list(db.session.scalars(select(Problem.number)))
    assert len(numbers) == len(set(numbers))
    for counter in db.session.scalars(select(LedgerCounter)):
        taken = [int(n.rsplit("-", 1)[1]) for n in numbers if n.startswith(f"LX-{counter.year}-")]
        assert counter.last == max(taken)


def test_tasks_and_visits_point_at_their_problems_enterprises_and_regions(bench):
    first, last = bench["hooked"][0].problems
    for task, problem in db.session.execute(select(Task, Problem).join(Problem, Problem.id == Task.problem_id)
                                            .where(Problem.id.between(first, last))):
        assert task.region_id == problem.owning_region_id and problem.department_id == task.department_id
    linked = db.session.execute(select(Visit.enterprise_id, Problem.enterprise_id, Visit.liaison_id,
                                       Problem.filer_id).join(Problem, Problem.visit_id == Visit.id)
                                .where(Problem.id.between(first, last))).all()
    assert linked and all(v == p and liaison == filer for v, p, liaison, filer in linked)


def test_the_demo_accounts_keep_their_roles_regions_and_departments(bench):
    now = {u.username: (u.role, u.region_id, u.department_id, u.enterprise_id)
           for u in db.session.scalars(select(User).where(User.username.in_(bench["before"])))}
    assert now == bench["before"]


def test_the_demo_accounts_get_no_new_assignments(bench):
    demo_users = select(User.id).where(User.username.in_(bench["before"]))
    now = sorted(db.session.execute(select(Assignment.user_id, Assignment.enterprise_id, Assignment.kind)
                                    .where(Assignment.user_id.in_(demo_users))).all())
    assert now == bench["assignments"]


def test_the_post_load_hooks_run_once_with_what_was_loaded(bench):
    assert len(bench["hooked"]) == 1 and bench["hooked"][0].counts["problems"] == PROBLEMS


def test_a_second_run_is_refused_without_append(bench):
    with pytest.raises(Conflict):
        benchdata.generate(problems=10, enterprises=1)


def test_negative_counts_are_refused(bench):
    with pytest.raises(ValidationFailed):
        benchdata.generate(problems=-1, enterprises=1)
    with pytest.raises(ValidationFailed):
        benchdata.generate(problems=5, enterprises=0)


def _in_subtree(code: str):
    path = db.session.scalar(select(Region.path).where(Region.code == code))
    return select(func.count()).select_from(Problem).join(Enterprise).join(Region, Region.id == Enterprise.region_id) \
        .where(Region.path.startswith(path))


@pytest.mark.parametrize("username, code", [("lx_coord", "622900"), ("lxx_coord", "622921"), ("gs_coord", "620000")])
def test_the_api_serves_the_new_rows_to_the_demo_coordinators_with_their_counts(bench_app, username, code):
    with bench_app.app_context():
        expected = db.session.scalar(_in_subtree(code))
        db.session.remove()
    with serving(bench_app) as base:
        session = requests.Session()
        login = session.post(f"{base}/api/v1/auth/login", json={"username": username, "password": "Demo@2026"})
        session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        page = session.get(f"{base}/api/v1/problems", params={"limit": 20, "count": "true"})
        assert page.status_code == 200
        assert page.json()["total"] == expected and len(page.json()["items"]) == 20
        following = session.get(f"{base}/api/v1/problems", params={"limit": 20, "cursor": page.json()["next_cursor"]})
        assert following.status_code == 200
        assert not {p["id"] for p in page.json()["items"]} & {p["id"] for p in following.json()["items"]}


def test_a_problem_filed_after_the_load_gets_a_new_id_and_number(bench_app):
    with bench_app.app_context():
        enterprise_id = db.session.scalar(select(Enterprise.id).where(Enterprise.name.startswith("临夏县清河源")))
        highest = db.session.scalar(select(func.max(Problem.id)))
        db.session.remove()
    with serving(bench_app) as base:
        session = requests.Session()
        login = session.post(f"{base}/api/v1/auth/login", json={"username": "lxx_coord", "password": "Demo@2026"})
        session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        created = session.post(f"{base}/api/v1/problems", json={"enterprise_id": enterprise_id, "category": "labor",
                                                                "title": "压测后登记的问题", "scope": "county"})
        assert created.status_code == 201, created.text
        assert created.json()["id"] > highest
    with bench_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Problem)
                                 .where(Problem.number == created.json()["number"])) == 1
        db.session.remove()


@pytest.fixture
def small_app(database, tmp_path):
    app = create_app(_config(database.clone("bench_small"), tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _index_names() -> set[str]:
    from sqlalchemy import inspect

    inspector = inspect(db.session.connection())
    names = {ix["name"] for table in benchdata.BULK_TABLES for ix in inspector.get_indexes(table)}
    db.session.rollback()
    return names


def test_a_large_load_drops_and_rebuilds_the_secondary_indexes_and_append_adds_more(small_app, monkeypatch):
    before = _index_names()
    monkeypatch.setattr(benchdata, "REBUILD_INDEXES_FROM", 1)
    first = benchdata.generate(problems=300, enterprises=40)
    assert _index_names() == before
    second = benchdata.generate(problems=200, enterprises=20, append=True)
    assert second.problems[0] == first.problems[1] + 1 and second.enterprises[0] == first.enterprises[1] + 1
    assert db.session.scalar(select(func.count()).select_from(Problem).where(
        Problem.id.between(first.problems[0], second.problems[1]))) == 500
    numbers = list(db.session.scalars(select(Problem.number)))
    assert len(numbers) == len(set(numbers))
    usernames = list(db.session.scalars(select(User.username)))
    assert len(usernames) == len(set(usernames))


def test_tasks_are_signed_and_reported_in_order_and_never_in_the_future(bench):
    first, last = bench["hooked"][0].problems
    now = utcnow()
    for task, problem in db.session.execute(select(Task, Problem).join(Problem, Problem.id == Task.problem_id)
                                            .where(Problem.id.between(first, last))):
        assert task.dispatched_at >= problem.accepted_at
        if task.signed_at is not None:
            assert task.dispatched_at <= task.signed_at <= now
        if task.status == "reported":
            assert task.signed_at <= task.reported_at <= problem.resolved_at
        assert (task.status == "dispatched") == (task.signed_at is None)


def test_bench_problems_carry_their_enterprises_scope_columns_and_the_kept_counts_add_up(bench):
    from services.models import ProblemCount
    county, prefecture = Region.__table__.alias("county"), Region.__table__.alias("prefecture")
    wrong = db.session.scalar(
        select(func.count()).select_from(Problem).join(Enterprise, Enterprise.id == Problem.enterprise_id)
        .join(county, county.c.id == Enterprise.region_id).join(prefecture, prefecture.c.id == county.c.parent_id)
        .where((Problem.county_id != county.c.id) | (Problem.prefecture_id != prefecture.c.id)
               | (Problem.province_id != prefecture.c.parent_id) | Problem.county_id.is_(None)))
    assert wrong == 0
    kept = db.session.scalar(select(func.sum(ProblemCount.n)))
    assert kept == db.session.scalar(select(func.count()).select_from(Problem))


def test_the_dashboard_over_bench_data_equals_the_timeline_reference(bench):
    from datetime import timedelta as days_delta
    from services import dashboard
    from services.actors import Actor
    from services.timeutil import to_local
    from tests.services.dashboard import reference

    now = utcnow()
    today = to_local(now).date()
    for username in ("gs_coord", "lx_coord"):
        actor = Actor.for_user(db.session.scalar(select(User).where(User.username == username)))
        for day in (None, today - days_delta(days=30)):
            assert dashboard.dashboard(actor=actor, day=day, now=now) == \
                reference.dashboard(actor=actor, day=day, now=now), (username, day)
