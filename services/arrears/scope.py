"""Who sees which arrears case, and who the caller is to one: scoped like problems, and every role not
named here (departments, institutions, auditors …) sees none."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from services.actors import Actor, assigned_enterprise_ids, is_assigned_liaison, region_in_scope, subtree_region_ids
from services.arrears.workflow import Roles
from services.models import ArrearsCase
from services.roles import Role

READERS = (Role.ADMIN, Role.SYSTEM, Role.COORDINATOR, Role.VIEWER, Role.LIAISON, Role.ENTERPRISE)


def case_clause(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on arrears_cases: true for the cases the actor may see (an explicit allow-list)."""
    if actor.role in (Role.ADMIN, Role.SYSTEM):
        return true()
    if actor.role in (Role.COORDINATOR, Role.VIEWER) and actor.region_path:
        return ArrearsCase.region_id.in_(subtree_region_ids(actor.region_path))
    if actor.role == Role.LIAISON and actor.user_id is not None:
        return ArrearsCase.creditor_enterprise_id.in_(assigned_enterprise_ids(actor, "liaison"))
    if actor.role == Role.ENTERPRISE and actor.enterprise_id:
        return ArrearsCase.creditor_enterprise_id == actor.enterprise_id
    return false()


def is_party(actor: Actor, enterprise_id: int) -> bool:
    """The creditor's own user, or one of its current liaisons."""
    if actor.role == Role.ENTERPRISE:
        return actor.enterprise_id == enterprise_id
    return is_assigned_liaison(actor, enterprise_id)


def roles_for(actor: Actor, case: ArrearsCase) -> Roles:
    """The caller's relation to a case it can see. Viewers and admins read, and take no part."""
    return Roles(
        manager=actor.role == Role.COORDINATOR and region_in_scope(actor, case.region),
        filer=actor.user_id is not None and actor.user_id == case.filer_id
        and actor.role in (Role.COORDINATOR, Role.LIAISON, Role.ENTERPRISE),
        party=is_party(actor, case.creditor_enterprise_id),
    )
