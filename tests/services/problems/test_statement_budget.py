"""Every workflow action costs a fixed number of SQL statements, measured through the HTTP API.

The budget is per action (token check, the locked read, the change, its event, stints, notifications,
warnings, audit, and the response); a regression that adds a read-back or a query per row fails here.
Run with `-s` to print the figures (bench/statements.md records them)."""

from functools import partial

import pytest
from tests.services.problems.helpers import body_for, do, file
from tests.statements import recorded

# The walk: each step is (who, action); one problem goes through all of them.
WALK = [
    ("lxx_coord", "accept"), ("lxx_coord", "comment"), ("lxx_coord", "request_info"), ("ent_qhy", "supply_info"),
    ("lxx_coord", "assign"), ("lxx_coord", "request_extension"), ("lx_coord", "decide_extension"),
    ("lx_coord", "supervise"), ("lx_coord", "unsupervise"), ("lxx_coord", "resolve"), ("ent_qhy", "feedback"),
]
# Measured on the demo data (SQLite); before take_action() answered from what it had loaded these were 46–54.
# Departments' tasks (派单) add one read of the problem's tasks to every action and, once the problem is
# dispatched, the task warnings' reconcile (two) and the tasks' departments (one): fixed, not per row.
# The outbox adds 1 to every action (the 督办-deadline warning rule), and 1–2 to the steps that tell the
# enterprise (accept, request_info, resolve: whether it has an account, and its inbox entry on accept).
# The 对接 needs a problem carries (the answer shows them) add 2 to every action and 1 to the read.
# Issue 18: the audit row no longer reads and updates the chain head (sealed after the fact), and every audit
# row of a transaction goes in one INSERT: 2 fewer each, 4 for assign (it audits twice). The 日调度 figures the
# write path keeps (services.figures) add 3 reads to every action (the problem with its stored share, its
# events, its stints) and, when the share changes, 2 upserts (the region's day rows, the share).
# Issue 18 (the write path): every notification of an action in one INSERT, and the linked needs the answer shows
# loaded inside the action's transaction instead of in a transaction of their own after it: 1–3 fewer each. The
# figures no longer read a problem's events and stints for a stint set to the values it had, nor for events that
# cannot change its share (a comment): 2 fewer for comment, assign, request_extension, supervise, unsupervise.
BUDGET = {
    "accept": 37, "comment": 30, "request_info": 37, "supply_info": 34, "assign": 37, "request_extension": 36,
    "decide_extension": 41, "supervise": 36, "unsupervise": 35, "resolve": 44, "feedback": 40,
}
# The page of a walked problem (issue 18, services/problems/detail.py): BEGIN, authentication, the problem row, the
# rest of the page (timeline, stints, tasks, needs, photos) in one UNION ALL — 22 while it was read through the ORM.
READ_BUDGET = 4


def _counted(app, request) -> int:
    return len(recorded(app, request)[1])


@pytest.fixture
def measured(app, login_as, demo):
    sessions = {name: login_as(name) for name in {who for who, _ in WALK}}
    for session in sessions.values():  # the first request of a session refreshes its row: not the action's cost
        assert session.get("me").status_code == 200
    problem = file(sessions["lxx_coord"], demo)
    figures = {}
    for who, action in WALK:
        if action == "resolve":  # dispatched: the lead department signs and reports first (not counted)
            department = login_as("dept_lxx_gxj")
            lead = department.get(f"tasks?problem={problem['id']}").get_json()["items"][0]
            assert department.post(f"tasks/{lead['id']}/sign", json={}).status_code == 200
            assert department.post(f"tasks/{lead['id']}/report", json={"result": "已协调解决"}).status_code == 200
        figures[action] = _counted(app, partial(do, sessions[who], problem["id"], action, body_for(action, demo)))
    figures["read"] = _counted(app, lambda: sessions["lxx_coord"].get(f"problems/{problem['id']}"))
    print("\nstatements per action:", figures)
    return figures


def test_every_action_stays_within_its_statement_budget(measured):
    over = {action: (measured[action], budget) for action, budget in BUDGET.items() if measured[action] > budget}
    assert not over, over


def test_reading_a_walked_problem_costs_no_more_than_a_fresh_one(measured):
    """Eleven events and several stints later, the page still costs a fixed number of statements."""
    assert measured["read"] <= READ_BUDGET
