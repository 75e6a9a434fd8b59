"""Reading and acknowledging warnings, in the caller's scope."""


from __future__ import annotations

from sqlalchemy import Select, select

from services import audit
from services.actors import Actor, enterprise_clause, region_in_scope, subtree_region_ids
from services.db import db, unit_of_work, utcnow
from services.errors import Forbidden, InvalidTransition, NotFound, VersionMismatch
from services.filters import where_one_of
from services.models import (
    Region,
    Warning,
)
from services.roles import Role


def _check_reader(actor: Actor) -> None:
    if actor.role == Role.ENTERPRISE:
        raise Forbidden("预警信息仅供工作人员查看")


def list_warnings(*, actor: Actor, state: str | list[str] | None = None, severity: str | list[str] | None = None,
                  type: str | list[str] | None = None, region: int | None = None, enterprise: int | None = None) -> Select:
    _check_reader(actor)
    stmt = select(Warning).where(enterprise_clause(actor, Warning.enterprise_id))
    for column, values in ((Warning.state, state), (Warning.severity, severity), (Warning.type, type)):
        stmt = where_one_of(stmt, column, values)
    if enterprise is not None:
        stmt = stmt.where(Warning.enterprise_id == enterprise)
    if region is not None:
        root = db.session.get(Region, region)
        if root is None:
            return stmt.where(False)
        stmt = stmt.where(Warning.region_id.in_(subtree_region_ids(root.path)))
    return stmt


def get_warning_or_raise(*, actor: Actor, warning_id: int) -> Warning:
    _check_reader(actor)
    warning = db.session.scalar(select(Warning).where(Warning.id == warning_id,
                                                     enterprise_clause(actor, Warning.enterprise_id)))
    if warning is None:
        raise NotFound("预警不存在")
    return warning


@unit_of_work()
def acknowledge(*, actor: Actor, warning_id: int, note: str, expected_version: int | None = None) -> Warning:
    warning = get_warning_or_raise(actor=actor, warning_id=warning_id)
    region = db.session.get(Region, warning.region_id)
    if not (actor.is_admin or (actor.role == Role.COORDINATOR and region_in_scope(actor, region))):
        raise Forbidden("只有辖区专班协调员可以确认预警")
    if expected_version is not None and expected_version != warning.version:
        raise VersionMismatch()
    if warning.state != "open":
        raise InvalidTransition("该预警已确认或已解除", extra={"current_status": warning.state,
                                                        "allowed_actions": []})
    warning.state = "acknowledged"
    warning.acknowledged_at = utcnow()
    warning.acknowledged_by_id = actor.user_id
    warning.acknowledge_note = note
    audit.record(actor, "warning.acknowledged", "warning", warning.id, {"note": note})
    return warning
