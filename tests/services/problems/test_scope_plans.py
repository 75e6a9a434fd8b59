"""The ledger's plans do not regress: a county's, a prefecture's and the province's page, plain or filtered by one
status and/or one category, first page or deep behind a cursor, walks that level's scope index in id order —
no sort of the scope (SQLite: no "USE TEMP B-TREE FOR ORDER BY"; PostgreSQL: no Sort node).

The statement is the one problem_page sends, captured as it runs. On PostgreSQL the demo's few rows would
make a sequential scan cheapest whatever the indexes, so sequential and bitmap scans are priced out
(enable_seqscan / enable_bitmapscan off): the planner still chooses between every index and a sort, and a
missing or unusable index shows as a Sort node."""

import pytest
from sqlalchemy import event, select

from services.actors import Actor, problem_clause
from services.db import db
from services.models import Problem, User
from services.paging import _encode
from services.problems.queries import problem_page

LEVELS = {"lxx_coord": "county", "lx_coord": "prefecture", "gs_coord": "province"}
FILTERS = {"": {}, "_status": {"status": "pending"}, "_category": {"category": "financing"},
           "_status_category": {"status": "in_progress", "category": "financing"}}


def _page_statement(actor: Actor, filters: dict, cursor: str | None):
    sent = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        problem_page(actor=actor, limit=20, cursor=cursor, **filters)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    db.session.rollback()
    statement, parameters = next((s, p) for s, p in sent if s.lstrip().startswith("SELECT problems."))
    return statement, parameters


def _plan(statement: str, parameters) -> tuple[list[str], list[str]]:
    """(index names used, sort nodes) of the statement's plan."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        tree = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()[0]["Plan"]
        nodes, stack = [], [tree]
        while stack:
            node = stack.pop()
            nodes.append(node)
            stack.extend(node.get("Plans", []))
        indexes = [n["Index Name"] for n in nodes if "Index Name" in n and n.get("Relation Name") == "problems"]
        _plan.conditions = [n.get("Index Cond", "") for n in nodes if n.get("Relation Name") == "problems"]
        sorts = [n["Node Type"] for n in nodes if "Sort" in n["Node Type"]]
    else:
        details = [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
        indexes = [d.split("USING INDEX ")[1].split(" ")[0] for d in details
                   if d.startswith("SEARCH problems USING INDEX ")]
        sorts = [d for d in details if "TEMP B-TREE" in d]
    db.session.rollback()
    return indexes, sorts


@pytest.mark.parametrize("suffix", list(FILTERS), ids=lambda s: s.strip("_") or "plain")
@pytest.mark.parametrize("username", list(LEVELS))
def test_a_regional_ledger_page_walks_its_levels_scope_index_without_a_sort(app, username, suffix):
    with app.app_context():
        actor = Actor.for_user(db.session.scalar(select(User).where(User.username == username)))
        middle = db.session.scalar(select(Problem.id).where(problem_clause(actor)).order_by(Problem.id.desc())
                                   .offset(2).limit(1))
        assert middle is not None
        for cursor in (None, _encode("-id", [middle])):
            indexes, sorts = _plan(*_page_statement(actor, FILTERS[suffix], cursor))
            assert not sorts, (username, suffix, cursor, sorts)
            walked = f"ix_problems_{LEVELS[username]}_scope{suffix}"
            if db.engine.dialect.name == "postgresql":
                # Where the scope is most of the table PostgreSQL may rather walk the primary key backwards,
                # filtering (also in id order, also no sort); docs/scale.md shows both at 1 M rows.
                assert len(indexes) == 1 and indexes[0] in (walked, "pk_problems"), (username, suffix, indexes)
            else:
                assert indexes == [walked], (username, suffix, cursor, indexes)


def _statement_of(call) -> tuple[str, object]:
    sent = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    db.session.rollback()
    return next((s, p) for s, p in sent if s.lstrip().startswith("SELECT problems."))


@pytest.mark.parametrize("username", list(LEVELS))
def test_one_problem_is_read_by_its_primary_key(app, username):
    from services.problems.detail import read_problem

    with app.app_context():
        actor = Actor.for_user(db.session.scalar(select(User).where(User.username == username)))
        problem_id = db.session.scalar(select(Problem.id).where(problem_clause(actor)).limit(1))
        indexes, sorts = _plan(*_statement_of(lambda: read_problem(actor=actor, problem_id=problem_id)))
        assert not sorts, sorts
        if db.engine.dialect.name == "postgresql":
            # The primary key, or the level's (level_id, id) index: either way a point lookup on the id.
            assert indexes in (["pk_problems"], [f"ix_problems_{LEVELS[username]}_scope"]), indexes
            assert f"(id = {problem_id})" in _plan.conditions[0], _plan.conditions
        else:
            statement, parameters = _statement_of(lambda: read_problem(actor=actor, problem_id=problem_id))
            details = [row[-1] for row in db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                                                   parameters)]
            db.session.rollback()
            assert details[0] == "SEARCH problems USING INTEGER PRIMARY KEY (rowid=?)", details


@pytest.mark.parametrize("username", list(LEVELS))
def test_an_enterprises_problems_are_found_through_the_enterprises_index(app, username):
    """Not by walking the whole scope in id order and filtering the enterprise."""
    from services.problems.queries import enterprise_problem_page

    with app.app_context():
        actor = Actor.for_user(db.session.scalar(select(User).where(User.username == username)))
        enterprise_id = db.session.scalar(select(Problem.enterprise_id).where(problem_clause(actor)).limit(1))
        indexes, sorts = _plan(*_statement_of(
            lambda: enterprise_problem_page(actor=actor, enterprise_id=enterprise_id, limit=20)))
        assert not sorts, sorts
        if db.engine.dialect.name == "postgresql":
            # On the demo's few rows PostgreSQL may walk the primary key instead (in order too); at 1 M rows
            # it walks ix_problems_enterprise_id (docs/scale.md).
            assert indexes in (["ix_problems_enterprise_id"], ["pk_problems"]), indexes
        else:
            assert indexes == ["ix_problems_enterprise_id"], indexes
