"""GET /problems/{id} is read as Core rows (services/problems/detail.py) and serialised without marshmallow
(api/serializers/problem_detail.py). Both must give exactly what the ORM read (tests/services/problems/reference_detail.py)
dumped through ProblemSchema: same keys in the same order, same values, for every demo problem (every status)
as every demo account sees it — internal notes, allowed actions, the tasks' actions, photos, needs, stints —
and the same 404 where the problem is out of sight."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from api.serializers.problem_detail import dump_problem
from api.schemas.problems import ProblemEventSchema, ProblemSchema, StintSchema
from api.schemas.tasks import TaskBriefSchema
from services.actors import Actor
from services.db import db, utcnow
from services.errors import NotFound
from services.models import Problem, ProblemEvent, User
from services.models.problems import PROBLEM_STATUSES
from services.problems import detail
from tests.security.probe import ACCOUNTS
from tests.services.problems.helpers import body_for, do, file
from tests.services.problems.reference_detail import get_problem_or_raise


def _actor(username: str) -> Actor:
    return Actor.for_user(db.session.scalar(select(User).where(User.username == username)))


def _schema_answer(actor: Actor, problem_id: int):
    """What the route answered before: the ORM read dumped by ProblemSchema (None: 404)."""
    db.session.expunge_all()
    try:
        answer = ProblemSchema().dump(get_problem_or_raise(actor=actor, problem_id=problem_id))
    except NotFound as error:
        answer = ("404", str(error))
    db.session.expunge_all()
    return answer


def _fast_answer(actor: Actor, problem_id: int):
    try:
        return dump_problem(detail.read_problem(actor=actor, problem_id=problem_id))
    except NotFound as error:
        return ("404", str(error))


def _differences(actor: Actor, problem_ids) -> dict:
    """Problem id → (schema's, fast) for every problem where the two differ, in value or in key order."""
    out = {}
    for problem_id in problem_ids:
        expected, got = _schema_answer(actor, problem_id), _fast_answer(actor, problem_id)
        if json.dumps(expected, ensure_ascii=False) != json.dumps(got, ensure_ascii=False):
            out[problem_id] = (expected, got)
    return out


@pytest.fixture
def problem_ids(app):
    with app.app_context():
        return list(db.session.scalars(select(Problem.id).order_by(Problem.id)))


def test_the_demo_holds_problems_of_every_status_with_tasks_photos_needs_and_internal_notes(app, problem_ids):
    """What the comparison below covers is not empty."""
    with app.app_context():
        pages = [detail.read_problem(actor=_actor("admin"), problem_id=i) for i in problem_ids]
    assert {p.status for p in pages} == set(PROBLEM_STATUSES)
    assert any(p.tasks for p in pages) and any(p.photos for p in pages) and any(p.needs for p in pages)
    assert any(e.internal for p in pages for e in p.events)
    assert any(p.extension_due_at for p in pages) and any(p.supervised for p in pages)


@pytest.mark.parametrize("account", ACCOUNTS)
def test_every_demo_problem_reads_as_the_schema_dumped_it(app, problem_ids, account):
    with app.app_context():
        actor = _actor(account)
        assert _differences(actor, problem_ids) == {}


def test_accounts_see_some_problems_and_not_others(app, problem_ids):
    """The comparison covers both answers: a county coordinator reads its county's problems and gets 404 for others."""
    with app.app_context():
        answers = [_fast_answer(_actor("lxx_coord"), i) for i in problem_ids]
    assert any(isinstance(a, dict) for a in answers) and ("404", "问题不存在") in answers


def test_a_missing_problem_is_not_found_for_everyone(app):
    with app.app_context():
        for account in ("admin", "lxx_coord", "liaison_ma", "ent_qhy", "dept_lxx_gxj"):
            with pytest.raises(NotFound):
                detail.read_problem(actor=_actor(account), problem_id=2_147_483_647)


def test_every_step_of_a_walk_reads_as_the_schema_dumped_it(app, login_as, demo):
    """A problem walked through the workflow (tasks dispatched, signed and reported, info asked and supplied, an
    extension asked and decided, supervision, feedback) equals the schema's dump for each party after each step."""
    sessions = {name: login_as(name) for name in ("lxx_coord", "lx_coord", "ent_qhy", "liaison_ma", "dept_lxx_gxj")}
    problem = file(sessions["liaison_ma"], demo)
    steps = [("lxx_coord", "accept"), ("lxx_coord", "comment"), ("lxx_coord", "request_info"),
             ("ent_qhy", "supply_info"), ("lxx_coord", "assign"), ("lxx_coord", "request_extension"),
             ("lx_coord", "supervise"), ("lx_coord", "decide_extension"), ("lx_coord", "unsupervise")]
    for who, action in [(None, None), *steps]:
        if action:
            do(sessions[who], problem["id"], action, body_for(action, demo))
        if action == "comment":
            do(sessions["lxx_coord"], problem["id"], "comment", {"text": "内部意见", "internal": True})
        with app.app_context():
            for account in ("lxx_coord", "lx_coord", "gs_coord", "ent_qhy", "liaison_ma", "dept_lxx_gxj",
                            "lx_viewer", "admin"):
                assert _differences(_actor(account), [problem["id"]]) == {}, (action, account)
    lead = sessions["dept_lxx_gxj"].get(f"tasks?problem={problem['id']}").get_json()["items"][0]
    assert sessions["dept_lxx_gxj"].post(f"tasks/{lead['id']}/sign", json={}).status_code == 200
    assert sessions["dept_lxx_gxj"].post(f"tasks/{lead['id']}/report", json={"result": "已协调解决"}).status_code == 200
    for who, action in (("lxx_coord", "resolve"), ("ent_qhy", "feedback")):
        do(sessions[who], problem["id"], action, body_for(action, demo))
        with app.app_context():
            for account in ("lxx_coord", "ent_qhy", "liaison_ma", "dept_lxx_gxj"):
                assert _differences(_actor(account), [problem["id"]]) == {}, (action, account)


def test_a_province_extension_is_decided_by_another_province_coordinator_as_before(app, problem_ids):
    """The province's own extension requests (no parent to decide): the requester is read from the timeline the
    page already holds; the requester may not decide, another province coordinator may — as the ORM read said."""
    with app.app_context():
        gs = db.session.scalar(select(User).where(User.username == "gs_coord"))
        problem = db.session.scalar(select(Problem).where(Problem.status == "in_progress").order_by(Problem.id))
        problem.level, problem.owning_region_id = "province", gs.region_id
        problem.extension_due_at, problem.extension_reason = utcnow() + timedelta(days=30), "需协调"
        db.session.add(ProblemEvent(problem_id=problem.id, actor_id=gs.id, action="request_extension"))
        db.session.commit()
        requester = _actor("gs_coord")
        other = Actor(user_id=db.session.scalar(select(User.id).where(User.username == "admin")), role="coordinator",
                      region_id=requester.region_id, region_path=requester.region_path,
                      region_level=requester.region_level)
        assert "decide_extension" not in _fast_answer(requester, problem.id)["allowed_actions"]
        assert "decide_extension" in _fast_answer(other, problem.id)["allowed_actions"]
        assert _differences(requester, [problem.id]) == {} and _differences(other, [problem.id]) == {}


def test_the_serializer_knows_every_field_of_the_schemas(app, problem_ids):
    """A field added to ProblemSchema or a nested schema and not to the serializer fails here, in the same order."""
    with app.app_context():
        pages = [detail.read_problem(actor=_actor("admin"), problem_id=i) for i in problem_ids]
        dumps = [dump_problem(p) for p in pages]
    assert list(dumps[0]) == list(ProblemSchema().fields)
    nested = {"stints": StintSchema, "events": ProblemEventSchema, "tasks": TaskBriefSchema}
    for key, schema in nested.items():
        item = next(d[key][0] for d in dumps if d[key])
        assert list(item) == list(schema().fields), key


def test_the_route_answers_the_bytes_the_schema_would(app, login_as, problem_ids):
    """Through the app: the body is the app's JSON of the schema's dump, byte for byte (status, type, ETag)."""
    session = login_as("lxx_coord")
    with app.app_context():
        actor = _actor("lxx_coord")
        visible = [i for i in problem_ids if isinstance(_fast_answer(actor, i), dict)]
    for problem_id in visible:
        response = session.get(f"problems/{problem_id}")
        assert response.status_code == 200
        with app.test_request_context():
            expected = app.json.response(_schema_answer(actor, problem_id))
        assert response.data == expected.data
        assert response.headers["Content-Type"] == expected.headers["Content-Type"]
        assert response.headers["ETag"] == f'"{response.get_json()["version"]}"'


def test_a_real_server_answers_the_page_gzipped_and_304_when_unchanged(app, live_server, problem_ids):
    """Over HTTP with compression: the gzipped page decodes to the schema's dump; its ETag (as gzip rewrote it)
    given back in If-None-Match gives 304 and no body; after a change the old ETag gets the new page."""
    import requests

    http = live_server.login("lxx_coord")
    with app.app_context():
        actor = _actor("lxx_coord")
        problem_id = next(i for i in problem_ids if isinstance(_fast_answer(actor, i), dict)
                          and "comment" in _fast_answer(actor, i)["allowed_actions"])
    url = f"{live_server.url}problems/{problem_id}"
    raw = http.get(url, headers={"Accept-Encoding": "gzip"}, stream=True)
    assert raw.status_code == 200 and raw.headers["Content-Encoding"] == "gzip"
    body = gzip.decompress(raw.raw.read())
    with app.app_context():
        assert json.loads(body) == _schema_answer(actor, problem_id)
    etag = raw.headers["ETag"]
    again = http.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert http.post(f"{url}/comment", json={"text": "再催办"}).status_code == 200
    changed = http.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json()["events"][-1]["comment"] == "再催办"
    assert requests.get(url).status_code == 401  # no token, no page


def test_the_page_searches_each_table_by_its_problem_index(app, problem_ids):
    """The read's two statements: the problem by its primary key, and every branch of the page's UNION ALL a
    search of its table's problem_id index (photos: problem_id or visit_id), no table scanned."""
    from sqlalchemy import event

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's EXPLAIN QUERY PLAN; PostgreSQL plans small demo tables as sequential scans")
        sent = []
        capture = lambda _c, _cur, statement, parameters, *_: sent.append((statement, parameters))  # noqa: E731
        admin = _actor("admin")
        problem_id = next(i for i in problem_ids if detail.read_problem(actor=admin, problem_id=i).photos)
        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            detail.read_problem(actor=admin, problem_id=problem_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        plans = [[row[-1] for row in db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + s, p)]
                 for s, p in sent]
        db.session.rollback()
    assert len(plans) == 2
    assert plans[0][0] == "SEARCH problems USING INTEGER PRIMARY KEY (rowid=?)", plans[0]
    searched = {line.split()[1] for plan in plans for line in plan if line.startswith("SEARCH")}
    assert {"problem_events", "problem_stints", "tasks", "needs", "photos"} <= searched, plans
    assert not [line for plan in plans for line in plan if line.startswith("SCAN")], plans
