"""What a caller may do to an enterprise it can already see ("may do", beside actors.py's "may see").

Each predicate assumes the enterprise passed actors.enterprise_clause (out of sight is 404 before any of
these is asked). They differ on purpose and sit side by side so the differences stay visible:

| predicate                 | admin | coordinator (in scope)     | its liaisons | its own user          |
| ------------------------- | ----- | -------------------------- | ------------ | --------------------- |
| is_own_enterprise         |       |                            |              | yes                   |
| speaks_for                |       |                            | yes          | yes                   |
| may_work_on               |       | yes                        | yes          |                       |
| may_report_for            | yes   | yes                        | yes          | yes                   |
| may_attach_photo          |       | yes                        | yes          | to its problems only  |
| may_edit_field_facts      | yes   | yes                        | yes          | yes                   |
| may_administer            | yes   | yes                        |              |                       |
| may_approve_plan          |       | of the enterprise's county |              |                       |
"""

from __future__ import annotations

from services.actors import Actor, is_assigned_liaison
from services.roles import Role


def is_own_enterprise(actor: Actor, enterprise_id: int) -> bool:
    """The enterprise's own account."""
    return actor.role == Role.ENTERPRISE and actor.enterprise_id == enterprise_id


def speaks_for(actor: Actor, enterprise_id: int) -> bool:
    """The enterprise side of its problems: its own user or one of its current liaisons (feedback, info)."""
    return is_own_enterprise(actor, enterprise_id) or is_assigned_liaison(actor, enterprise_id)


def may_work_on(actor: Actor, enterprise_id: int) -> bool:
    """Field work for the enterprise (visits, plan drafts): a coordinator who sees it, or its current liaison."""
    return actor.role == Role.COORDINATOR or is_assigned_liaison(actor, enterprise_id)


def may_work_on_seen(actor: Actor, enterprise_id: int) -> bool:
    """may_work_on() for an enterprise the actor has just found through enterprise_clause(actor): a liaison sees
    exactly the enterprises it is the current liaison of, so for one it has found the answer needs no query."""
    return actor.role == Role.LIAISON or may_work_on(actor, enterprise_id)


def may_report_for(actor: Actor, enterprise_id: int) -> bool:
    """The monthly status report: the enterprise itself as well as those who work on it, and admins."""
    return actor.is_admin or is_own_enterprise(actor, enterprise_id) or may_work_on(actor, enterprise_id)


def may_attach_photo(actor: Actor, enterprise_id: int, *, to_problem: bool) -> bool:
    """Photos: those who work on the enterprise; the enterprise itself only to its problems (not to visits)."""
    return may_work_on(actor, enterprise_id) or (to_problem and is_own_enterprise(actor, enterprise_id))


def may_edit_field_facts(actor: Actor, enterprise_id: int) -> bool:
    """Operating status, headcount and tags: the enterprise, its liaisons, and everyone who administers it."""
    return may_administer(actor) or speaks_for(actor, enterprise_id)


def may_administer(actor: Actor) -> bool:
    """Register and edit enterprises in full, post and end assignments: admins and coordinators in scope."""
    return actor.is_admin or actor.role == Role.COORDINATOR


def may_approve_plan(actor: Actor, enterprise_region_id: int) -> bool:
    """一企一策 approval: only the task force of the enterprise's own county, never one above it."""
    return actor.role == Role.COORDINATOR and actor.region_id == enterprise_region_id
