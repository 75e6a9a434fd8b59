"""POST /visits with a nested problem costs a fixed, small number of SQL statements, counted through the API.

Every statement of the request counts: the token check, the idempotency record, the visit, the problem and
its number, stint, event, notifications and outbox, warnings, audit, and the answer. Run with `-s` to see them."""

from datetime import datetime, timedelta

import pytest
from services.timeutil import zone
from tests.statements import recorded

# Measured on SQLite (it counts the BEGIN IMMEDIATE of the request's transaction; PostgreSQL sends none through
# the cursor, so it counts one fewer: 16 with the key). Before issue 18 this request cost 56 (82 with
# observations), 28 before the write-path part of it. Of the 17: the request's one transaction 16 — its BEGIN,
# authentication's one statement (services/accounts check_token), the Idempotency-Key's claim (an INSERT that
# commits with the write, services/idempotency.py), the enterprise with its region and the visiting account
# joined (for a liaison that is also the assignment check), the visit, the number, the calendar, the problem with
# its event and stint, who is told, one INSERT for their notifications, one for every audit row, the 日调度
# figures: the enterprise's key-enterprise share read (services/figures.py _settle_keys; a key enterprise's first
# visit of a month adds its upsert), then the problem's share and the region's day rows written, computed from
# what the transaction holds — and after the commit the stored answer, one UPDATE in its own single-statement
# transaction (no BEGIN on SQLite). Without an Idempotency-Key: 15 (no claim, no stored answer).
BUDGET = 17
BUDGET_WITHOUT_KEY = 15
PER_PROBLEM = 8  # measured: the number, the calendar, the problem, its event and stint, its recipients, notifications


def _body(demo, problems):
    return {"enterprise_id": demo.enterprise_id("清河源"), "method": "on_site",
            "visited_at": (datetime.now(zone()) - timedelta(hours=1)).isoformat(), "summary": "走访生产车间",
            "latitude": 35.6, "longitude": 103.2, "accuracy_m": 12, "problems": problems}


@pytest.fixture
def liaison(login_as):
    session = login_as("liaison_ma")
    assert session.get("me").status_code == 200  # the first request of a session refreshes its row
    return session


def _print(statements):
    print(f"\n{len(statements)} statements:")
    for n, statement in enumerate(statements, 1):
        print(f"{n:3} {' '.join(statement.split())[:160]}")


def test_a_visit_with_a_nested_problem_stays_within_its_statement_budget(app, liaison, demo):
    problem = {"category": "labor", "title": "缺熟练工", "scope": "county"}
    body = _body(demo, [problem])
    response, statements = recorded(app, lambda: liaison.post(
        "visits", json=body, headers={"Idempotency-Key": "visit-budget-1"}))
    _print(statements)
    assert response.status_code == 201, response.get_json()
    assert len(statements) <= BUDGET


def test_a_second_nested_problem_adds_a_bounded_number_of_statements(app, liaison, demo):
    one = {"category": "labor", "title": "缺熟练工", "scope": "county"}
    two = {"category": "logistics", "title": "原料运输受阻", "scope": "cross_county"}
    single_body, double_body = _body(demo, [one]), _body(demo, [one, two])
    first, single = recorded(app, lambda: liaison.post("visits", json=single_body))
    second, double = recorded(app, lambda: liaison.post("visits", json=double_body))
    print(f"\none problem: {len(single)}, two: {len(double)}")
    assert (first.status_code, second.status_code) == (201, 201)
    assert len(single) <= BUDGET_WITHOUT_KEY
    assert len(double) - len(single) <= PER_PROBLEM
