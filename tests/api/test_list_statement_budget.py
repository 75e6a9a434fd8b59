"""Statements per request are constant in page size (issue 18, point 3): every list of the API, and the two
pages a phone and the ledger read most (a problem, the liaison's sync), measured over the demo data grown
well past 50 rows (tests/factories.grow) at limit=1 and limit=50 — the same count, within its budget.

A list that loads a relationship row by row (N+1) costs more statements at limit=50 and fails here; a list
added to the API without a budget fails too. Run with -s to print the figures."""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import event

from services.db import db
from tests import factories
from tests.security.probe import ACCOUNTS, get_paths, targets
from tests.security.test_get_matrix import POLICY

# Statements of one request (authentication's one included; transaction control not counted), measured on
# SQLite over the grown demo data. Each is the same at limit=1 and limit=50.
BUDGET = {
    "/api/v1/arrears": 8,
    "/api/v1/assignments": 2,
    "/api/v1/audit": 2,
    "/api/v1/common-problems": 10,
    "/api/v1/departments": 3,
    "/api/v1/enterprises": 4,
    "/api/v1/exports": 2,
    "/api/v1/enterprises/{enterprise_id}/history": 3,
    "/api/v1/enterprises/{enterprise_id}/plan/versions": 10,
    "/api/v1/enterprises/{enterprise_id}/problems": 3,
    "/api/v1/enterprises/{enterprise_id}/status-reports": 8,
    "/api/v1/enterprises/{enterprise_id}/visits": 16,
    "/api/v1/matches": 15,
    "/api/v1/matching-sessions": 10,
    "/api/v1/needs": 6,
    "/api/v1/needs/catalogue": 6,
    "/api/v1/notifications": 3,
    "/api/v1/outbox": 3,
    "/api/v1/policies": 2,
    "/api/v1/problems": 2,
    "/api/v1/regions": 3,
    "/api/v1/sync": 29,
    "/api/v1/tasks": 15,
    "/api/v1/users": 2,
    "/api/v1/visits": 13,
    "/api/v1/warnings": 15,
}
# Who reads each list: the first account the GET policy lets read it, unless named here.
READER = {"/api/v1/sync": "liaison_ma"}
# Pages of one object, read by the account that works on it. A problem's page (issue 18): authentication, the
# problem row (with a liaison's assignment), the rest of the page in one UNION ALL (services/problems/detail.py).
OBJECT_BUDGET = {("/api/v1/problems/{problem_id}", "lxx_coord"): 3, ("/api/v1/problems/{problem_id}", "liaison_ma"): 3}


def _is_list(operation: dict) -> bool:
    schema = operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("$ref", "").endswith("Page")


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def grown(app):
    with app.app_context():
        factories.grow()
        db.session.commit()
    return app


class Counted:
    """Statements the engine sends (BEGIN/COMMIT/ROLLBACK left out)."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.count = 0

    def __call__(self, _conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            self.count += 1

    def of(self, request) -> tuple[int, object]:
        self.count = 0
        event.listen(self.engine, "before_cursor_execute", self)
        try:
            response = request()
        finally:
            event.remove(self.engine, "before_cursor_execute", self)
        return self.count, response


def _items(body: dict) -> int:
    return len(body["items"]) if "items" in body else sum(len(v) for k, v in body.items() if isinstance(v, list))


@pytest.fixture
def figures(grown, login_as, spec):
    params = targets(grown)
    counted = Counted(grown)
    sessions = {}
    measured = {}
    for template, operations in spec["paths"].items():
        if "get" not in operations or not _is_list(operations["get"]):
            continue
        account = READER.get(template) or next(a for a in ACCOUNTS if POLICY[template][a] == 200)
        session = sessions.setdefault(account, login_as(account))
        session.get("me")  # not the list's cost: the first request of a session
        path = get_paths({"paths": {template: {"get": {}}}}, params)[0]
        row = {}
        for limit in (1, 50):
            count, response = counted.of(partial(session.get, f"{path}?limit={limit}"))
            assert response.status_code == 200, (path, account, response.get_json())
            row[limit] = (count, _items(response.get_json()))
        measured[template] = row
    print("\nstatements (count, rows) at limit=1 and 50:", measured)
    return measured


def test_every_list_of_the_api_has_a_declared_budget(spec):
    lists = {template for template, operations in spec["paths"].items()
             if "get" in operations and _is_list(operations["get"])}
    assert lists == set(BUDGET)


def test_every_list_costs_the_same_statements_at_limit_1_and_50(figures):
    uneven = {t: (row[1][0], row[50][0]) for t, row in figures.items() if row[1][0] != row[50][0]}
    assert uneven == {}


def test_every_list_stays_within_its_statement_budget(figures):
    over = {t: (row[50][0], BUDGET[t]) for t, row in figures.items() if row[50][0] > BUDGET[t]}
    assert over == {}


GROWN = ("/api/v1/problems", "/api/v1/enterprises", "/api/v1/visits", "/api/v1/notifications", "/api/v1/assignments",
         "/api/v1/audit", "/api/v1/sync")


def test_the_grown_data_fills_a_page_of_50(figures):
    """The comparison means something: the grown lists return a full page at limit=50 (sync: all collections;
    the others — tasks, warnings, users, … — hold 2 to 31 varied demo rows, enough to show a query per row)."""
    short = {template: figures[template][50][1] for template in GROWN if figures[template][50][1] < 50}
    assert short == {}


@pytest.mark.parametrize(("template", "account"), list(OBJECT_BUDGET))
def test_a_problem_page_stays_within_its_statement_budget(grown, login_as, template, account):
    session = login_as(account)
    session.get("me")
    path = get_paths({"paths": {template: {"get": {}}}}, targets(grown))[0]
    count, response = Counted(grown).of(lambda: session.get(path))
    assert response.status_code == 200
    assert count <= OBJECT_BUDGET[(template, account)], count
