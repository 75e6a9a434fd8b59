"""The closure workflow as data: who may take each action, from which statuses, under which guard.

Pure: no database, no HTTP. `allowed_actions`, the 403/409 decisions and the tests all read TABLE.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.problems.limits import limits

LEVELS = ("county", "prefecture", "province")
LEVEL_NAMES = {"county": "县专班", "prefecture": "州专班", "province": "省专班"}
REQUIRED_LEVEL = {"county": "county", "cross_county": "prefecture", "provincial": "province"}
OPEN = frozenset({"pending", "in_progress", "awaiting_info", "resolved"})
WORKING = frozenset({"pending", "in_progress", "awaiting_info"})
FINAL = frozenset({"closed", "rejected", "withdrawn"})


def rank(level: str) -> int:
    return LEVELS.index(level)


def required_level(scope: str) -> str:
    return REQUIRED_LEVEL[scope]


@dataclass(frozen=True)
class Roles:
    """What the caller is to one visible problem."""

    holder: bool = False        # a coordinator of the task force that holds it
    filer: bool = False         # the user who filed it
    party: bool = False         # the enterprise's own user, or one of its current liaisons
    decider: bool = False       # decides extensions: the parent task force (province: another province coordinator)
    supervisor: bool = False    # a coordinator of a strict ancestor of the holding region
    reader: bool = False        # a participant who can see it (not viewers or admins: they only read)


# A guard returns None when the action may go ahead, else the reason (Chinese) it may not now.
Guard = Callable[[object, Roles, datetime], "str | None"]


def _at_required_level(p, roles, now):
    need = required_level(p.scope)
    if p.level != need:
        return f"该问题应由{LEVEL_NAMES[need]}办理，当前在{LEVEL_NAMES[p.level]}，须先上报"
    return None


def _below_required_level(p, roles, now):
    if rank(p.level) >= rank(required_level(p.scope)):
        return "该问题已在其应办层级，不能再上报"
    return None


def _above_county(p, roles, now):
    return "县专班不能再向下退回" if p.level == "county" else None


def _resolved_long_enough(p, roles, now, days: int | None = None):
    days = limits.close_without_feedback_days if days is None else days
    if p.resolved_at is None or p.resolved_at > now - timedelta(days=days):
        return f"办结满 {days} 天仍未评价的问题才能直接销号"
    return None


def _no_pending_extension(p, roles, now):
    return "已有待审批的延期申请" if p.extension_due_at is not None else None


def _pending_extension(p, roles, now):
    return "没有待审批的延期申请" if p.extension_due_at is None else None


def _not_supervised(p, roles, now):
    return "该问题已在督办中" if p.supervised else None


def _supervised(p, roles, now):
    return "该问题未被督办" if not p.supervised else None


def _filer_only_while_pending(p, roles, now):
    if not roles.holder and p.status != "pending":
        return "登记人只能在待受理时修改问题"
    return None


@dataclass(frozen=True)
class Rule:
    statuses: frozenset[str]
    who: tuple[str, ...]            # any of these Roles flags
    guard: Guard | None = None


TABLE: dict[str, Rule] = {
    "accept": Rule(frozenset({"pending"}), ("holder",), _at_required_level),
    "reject": Rule(frozenset({"pending"}), ("holder",)),
    "escalate": Rule(frozenset({"pending", "in_progress"}), ("holder",), _below_required_level),
    "return": Rule(frozenset({"pending"}), ("holder",), _above_county),
    "reclassify": Rule(frozenset({"pending", "in_progress"}), ("holder",)),
    "assign": Rule(WORKING, ("holder",)),
    "resolve": Rule(frozenset({"in_progress"}), ("holder",), _at_required_level),
    "feedback": Rule(frozenset({"resolved"}), ("party",)),
    "close": Rule(frozenset({"resolved"}), ("holder",), _resolved_long_enough),
    "withdraw": Rule(frozenset({"pending", "in_progress"}), ("filer",)),
    "request_info": Rule(frozenset({"pending", "in_progress"}), ("holder",)),
    "supply_info": Rule(frozenset({"awaiting_info"}), ("party", "filer")),
    "request_extension": Rule(frozenset({"in_progress"}), ("holder",), _no_pending_extension),
    "decide_extension": Rule(frozenset({"in_progress", "awaiting_info"}), ("decider",), _pending_extension),
    "supervise": Rule(OPEN, ("supervisor",), _not_supervised),
    "unsupervise": Rule(OPEN | FINAL, ("supervisor",), _supervised),
    "comment": Rule(OPEN | FINAL, ("reader",)),
    "update": Rule(WORKING, ("holder", "filer"), _filer_only_while_pending),
}

ACTIONS = tuple(a for a in TABLE if a != "update")


def role_may(action: str, roles: Roles) -> bool:
    """Could this caller ever take the action on this problem (else 403)?"""
    return any(getattr(roles, flag) for flag in TABLE[action].who)


def blocked_reason(action: str, problem, roles: Roles, now: datetime) -> str | None:
    """None when the state allows the action now, else why not (409)."""
    rule = TABLE[action]
    if problem.status not in rule.statuses:
        return "当前状态不允许此操作"
    return rule.guard(problem, roles, now) if rule.guard else None


def allowed_actions(roles: Roles, problem, now: datetime) -> list[str]:
    return [a for a in ACTIONS if role_may(a, roles) and blocked_reason(a, problem, roles, now) is None]
