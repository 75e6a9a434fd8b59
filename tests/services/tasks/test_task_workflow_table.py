"""The task cycle's table, without HTTP or a database."""

from types import SimpleNamespace

import pytest

from services.models.tasks import TASK_STATUSES
from services.tasks import workflow
from services.tasks.workflow import ACTIONS, FINAL, TABLE, TaskRoles, allowed_actions, blocked_reason, role_may

DEPARTMENT = TaskRoles(department=True)
HOLDER = TaskRoles(holder=True)
STRANGER = TaskRoles()


def task(status="dispatched"):
    return SimpleNamespace(status=status)


def test_every_status_a_rule_names_is_a_task_status():
    named = {s for rule in TABLE.values() for s in rule.statuses} | {rule.to for rule in TABLE.values() if rule.to}
    assert named <= set(TASK_STATUSES)


def test_refused_recalled_and_superseded_are_final():
    assert FINAL == {"refused", "recalled", "superseded"}


@pytest.mark.parametrize("action, to", [("sign", "signed"), ("refuse", "refused"), ("report", "reported"),
                                        ("recall", "recalled"), ("supersede", "superseded"), ("reopen", "reopened")])
def test_each_action_leads_to_its_status(action, to):
    assert workflow.next_status(action, "dispatched") == to


def test_progress_keeps_the_status():
    assert workflow.next_status("progress", "signed") == "signed"


def test_a_department_signs_or_refuses_a_dispatched_task():
    assert allowed_actions(DEPARTMENT, task("dispatched"), "in_progress") == ["sign", "refuse"]


def test_a_signed_task_takes_progress_and_report():
    assert allowed_actions(DEPARTMENT, task("signed"), "in_progress") == ["progress", "report"]


def test_a_reopened_task_is_signed_again_but_cannot_be_refused():
    assert allowed_actions(DEPARTMENT, task("reopened"), "in_progress") == ["sign"]


def test_a_department_cannot_report_before_signing():
    assert blocked_reason("report", task("dispatched"), "in_progress")


@pytest.mark.parametrize("status", ["dispatched", "signed", "reported", "reopened"])
def test_the_holding_task_force_may_recall_a_live_task(status):
    assert allowed_actions(HOLDER, task(status), "in_progress") == ["recall"]


@pytest.mark.parametrize("status", sorted(FINAL))
def test_nothing_is_allowed_on_a_final_task(status):
    assert allowed_actions(DEPARTMENT, task(status), "in_progress") == []
    assert allowed_actions(HOLDER, task(status), "in_progress") == []


@pytest.mark.parametrize("problem_status", ["resolved", "closed", "rejected", "withdrawn"])
def test_no_task_action_once_the_problem_left_the_working_statuses(problem_status):
    assert blocked_reason("sign", task(), problem_status)
    assert blocked_reason("recall", task("signed"), problem_status)


def test_the_task_force_does_not_take_the_departments_actions():
    assert not any(role_may(a, HOLDER) for a in ("sign", "refuse", "progress", "report"))


def test_a_department_does_not_recall():
    assert not role_may("recall", DEPARTMENT)


def test_a_stranger_may_take_nothing():
    assert not any(role_may(a, STRANGER) for a in ACTIONS)


def test_system_steps_are_not_offered_to_people():
    assert "supersede" not in ACTIONS and "reopen" not in ACTIONS
    assert not role_may("supersede", DEPARTMENT) and not role_may("reopen", HOLDER)


def test_only_a_reported_task_reopens():
    assert blocked_reason("reopen", task("reported"), "in_progress") is None
    assert blocked_reason("reopen", task("signed"), "in_progress")
