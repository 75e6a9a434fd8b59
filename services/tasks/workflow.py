"""The task cycle as data: who may take each action, from which statuses, to which status, under which guard.

Pure: no database, no HTTP. `allowed_actions`, the 403/409 decisions and the tests all read TABLE. The
two system steps (`supersede` at the problem's resolve, `reopen` at an unsatisfied feedback) are rows too,
taken by the problem workflow, never by a person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.models.tasks import TASK_STATUSES

# The problem statuses in which its departments may work their tasks.
PROBLEM_WORKING = frozenset({"pending", "in_progress", "awaiting_info"})


@dataclass(frozen=True)
class TaskRoles:
    """What the caller is to one visible task."""

    department: bool = False    # a user of the task's department
    holder: bool = False        # a coordinator of the task force that holds the task's problem
    system: bool = False        # the problem workflow itself (supersede, reopen)


# A guard returns None when the action may go ahead, else the reason (Chinese) it may not now.
Guard = Callable[[object, str], "str | None"]


def _problem_working(task, problem_status: str) -> str | None:
    if problem_status not in PROBLEM_WORKING:
        return "问题已办结或已结束，任务不能再办理"
    return None


@dataclass(frozen=True)
class Rule:
    statuses: frozenset[str]
    to: str | None                  # the next status (None: unchanged)
    who: tuple[str, ...]            # any of these TaskRoles flags
    guard: Guard | None = None
    summary: str = ""               # the action's summary in the OpenAPI document (system steps have none)


TABLE: dict[str, Rule] = {
    "sign": Rule(frozenset({"dispatched", "reopened"}), "signed", ("department",), _problem_working,
                 summary="签收交办的任务"),
    "refuse": Rule(frozenset({"dispatched"}), "refused", ("department",), _problem_working,
                   summary="退单：退回交办的任务（须说明理由）"),
    "progress": Rule(frozenset({"signed"}), None, ("department",), _problem_working, summary="登记任务办理进展"),
    "report": Rule(frozenset({"signed"}), "reported", ("department",), _problem_working,
                   summary="办结反馈：报告任务办理结果"),
    "recall": Rule(frozenset({"dispatched", "signed", "reported", "reopened"}), "recalled", ("holder",),
                   _problem_working, summary="撤回任务以便重新交办（承办专班）"),
    "supersede": Rule(frozenset({"dispatched", "signed", "reopened"}), "superseded", ("system",)),
    "reopen": Rule(frozenset({"reported"}), "reopened", ("system",)),
}

ACTIONS = ("sign", "refuse", "progress", "report", "recall")
FINAL = frozenset(TASK_STATUSES) - {s for rule in TABLE.values() for s in rule.statuses}


def role_may(action: str, roles: TaskRoles) -> bool:
    """Could this caller ever take the action on this task (else 403)?"""
    return any(getattr(roles, flag) for flag in TABLE[action].who)


def blocked_reason(action: str, task, problem_status: str) -> str | None:
    """None when the state allows the action now, else why not (409)."""
    rule = TABLE[action]
    if task.status not in rule.statuses:
        return "任务当前状态不允许此操作"
    return rule.guard(task, problem_status) if rule.guard else None


def next_status(action: str, current: str) -> str:
    """The status a task has after the action (unchanged when the rule names none)."""
    return TABLE[action].to or current


def allowed_actions(roles: TaskRoles, task, problem_status: str) -> list[str]:
    """The actions these roles may take on the task now."""
    return [a for a in ACTIONS if role_may(a, roles) and blocked_reason(a, task, problem_status) is None]
