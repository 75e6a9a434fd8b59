"""The closure workflow as data: who may take each action, from which statuses, under which guard.

Pure: no database, no HTTP (the status vocabulary it reads is declared beside the column, in models). `allowed_actions`, the 403/409 decisions and the tests all read TABLE.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.models.problems import FINAL, OPEN, PROBLEM_STATUSES, WORKING
from services.problems.limits import limits

LEVELS = ("county", "prefecture", "province")
LEVEL_NAMES = {"county": "县专班", "prefecture": "州专班", "province": "省专班"}
REQUIRED_LEVEL = {"county": "county", "cross_county": "prefecture", "provincial": "province"}
STATUSES = PROBLEM_STATUSES


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


SAME = None  # the action leaves the status as it was


@dataclass(frozen=True)
class Rule:
    """One action: from which statuses, by whom, under which guard, to which status, and what it is (OpenAPI)."""

    statuses: frozenset[str]
    who: tuple[str, ...]            # any of these Roles flags
    to: str | tuple[str, ...] | None  # the status after it; a tuple when its effect chooses; SAME: unchanged
    summary: str
    guard: Guard | None = None

    def lands_on(self, before: str) -> frozenset[str]:
        """The statuses the problem may be in after the action, from `before`."""
        if self.to is SAME:
            return frozenset({before})
        return frozenset(self.to if isinstance(self.to, tuple) else (self.to,))


_FROM_PENDING = frozenset({"pending"})
_ON_THE_WAY = frozenset({"pending", "in_progress"})

TABLE: dict[str, Rule] = {
    "accept": Rule(_FROM_PENDING, ("holder",), "in_progress", "受理问题（须在其应办层级）", _at_required_level),
    "reject": Rule(_FROM_PENDING, ("holder",), "rejected", "不予受理（须说明理由）"),
    "escalate": Rule(_ON_THE_WAY, ("holder",), "pending", "上报上级专班", _below_required_level),
    "return": Rule(_FROM_PENDING, ("holder",), "pending", "退回下级专班", _above_county),
    "reclassify": Rule(_ON_THE_WAY, ("holder",), SAME, "重新定性问题范围"),
    "assign": Rule(WORKING, ("holder",), SAME, "交办承办单位"),
    "resolve": Rule(frozenset({"in_progress"}), ("holder",), "resolved", "办结：登记办理措施和结果",
                    _at_required_level),
    "feedback": Rule(frozenset({"resolved"}), ("party",), ("closed", "in_progress"),
                     "企业评价办结结果（不满意则重新办理）"),
    "close": Rule(frozenset({"resolved"}), ("holder",), "closed", "办结满期限未评价的问题直接销号",
                  _resolved_long_enough),
    "withdraw": Rule(_ON_THE_WAY, ("filer",), "withdrawn", "撤回本人登记的问题"),
    "request_info": Rule(_ON_THE_WAY, ("holder",), "awaiting_info", "要求企业补充材料（期限暂停）"),
    "supply_info": Rule(frozenset({"awaiting_info"}), ("party", "filer"), ("pending", "in_progress"),
                        "补充材料（期限恢复计算）"),
    "request_extension": Rule(frozenset({"in_progress"}), ("holder",), SAME, "向上级专班申请延期",
                              _no_pending_extension),
    "decide_extension": Rule(frozenset({"in_progress", "awaiting_info"}), ("decider",), SAME, "审批延期申请",
                             _pending_extension),
    "supervise": Rule(OPEN, ("supervisor",), SAME, "挂牌督办", _not_supervised),
    "unsupervise": Rule(OPEN | FINAL, ("supervisor",), SAME, "解除督办", _supervised),
    "comment": Rule(OPEN | FINAL, ("reader",), SAME, "留言（专班可发内部意见）"),
    "update": Rule(WORKING, ("holder", "filer"), SAME, "修改问题的标题、描述、类别或紧急程度（承办专班；登记人仅在待受理时）",
                   _filer_only_while_pending),
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
