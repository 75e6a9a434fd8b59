"""The arrears case's status machine as data: who may take each action, from which statuses.

Pure: no database, no HTTP. `allowed_actions`, the 403/409 decisions and the tests all read TABLE.

  open ──plan──► repaying ──repay (remaining 0)──► cleared ──confirm──► closed (销号)
  open ──repay (remaining 0)──────────────────────► cleared
"""

from __future__ import annotations

from dataclasses import dataclass

LIVE = frozenset({"open", "repaying"})
FINAL = frozenset({"closed"})


@dataclass(frozen=True)
class Roles:
    """What the caller is to one visible case."""

    manager: bool = False   # a coordinator whose region holds the case's county (county, prefecture, province)
    filer: bool = False     # the user who filed it
    party: bool = False     # the creditor enterprise's own user, or one of its current liaisons


@dataclass(frozen=True)
class Rule:
    statuses: frozenset[str]
    who: tuple[str, ...]    # any of these Roles flags
    # The status the action leads to; None: decided by the amounts (repay) or unchanged.
    target: str | None = None


TABLE: dict[str, Rule] = {
    "update": Rule(LIVE, ("manager", "filer")),
    "plan": Rule(LIVE, ("manager",), "repaying"),
    "repay": Rule(LIVE, ("manager", "party")),
    "confirm": Rule(frozenset({"cleared"}), ("party",), "closed"),
}

ACTIONS = tuple(TABLE)


def role_may(action: str, roles: Roles) -> bool:
    """Could this caller ever take the action on this case (else 403)?"""
    return any(getattr(roles, flag) for flag in TABLE[action].who)


def blocked_reason(action: str, status: str) -> str | None:
    """None when the status allows the action now, else why not (409)."""
    return None if status in TABLE[action].statuses else "当前状态不允许此操作"


def allowed_actions(roles: Roles, status: str) -> list[str]:
    """The actions these roles may take on a case in this status."""
    return [a for a in ACTIONS if role_may(a, roles) and blocked_reason(a, status) is None]


def status_after_repayment(status: str, remaining, has_plan: bool) -> str:
    """Repaid in full → cleared; otherwise repaying once a plan exists."""
    if remaining <= 0:
        return "cleared"
    return "repaying" if has_plan else status
