"""派驻 (liaison) and 包抓 (leader) assignments, with history."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from services import audit
from services.actors import Actor, active_assignment_clause, enterprise_clause, region_in_scope
from services.permissions import may_administer
from services.db import db, unit_of_work
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.models import Assignment, Department, Enterprise, User
from services.timeutil import local_today
from services.roles import Role
from services.paging import paged
from services import sorts

ROLE_FOR_KIND = {"liaison": "liaison", "leader": "viewer"}


def list_assignments(*, actor: Actor, enterprise: int | None = None, user: int | None = None,
                     kind: str | None = None, active: bool | None = None) -> Select:
    """Query of the assignments in the actor's scope (a liaison: their own), filtered as asked."""
    # The names beside the ids (user, enterprise, department) joined into the page's statement (to-one).
    stmt = select(Assignment).options(*(joinedload(relation).lazyload("*") for relation in (
        Assignment.user, Assignment.enterprise, Assignment.department)))
    if actor.role == Role.LIAISON:
        stmt = stmt.where(Assignment.user_id == actor.user_id)
    else:
        stmt = stmt.where(enterprise_clause(actor, Assignment.enterprise_id))
    if enterprise is not None:
        stmt = stmt.where(Assignment.enterprise_id == enterprise)
    if user is not None:
        stmt = stmt.where(Assignment.user_id == user)
    if kind:
        stmt = stmt.where(Assignment.kind == kind)
    if active is True:
        stmt = stmt.where(active_assignment_clause())
    elif active is False:
        stmt = stmt.where(~active_assignment_clause())
    return stmt


def _manageable_enterprise(actor: Actor, enterprise_id: int) -> Enterprise:
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.id == enterprise_id, enterprise_clause(actor)))
    if enterprise is None:
        raise NotFound("企业不存在", errors={"enterprise_id": ["企业不存在"]})
    if not may_administer(actor):
        raise Forbidden("只有管理员或专班协调员可以派驻联络员")
    return enterprise


@unit_of_work()
def create_assignment(*, actor: Actor, user_id: int, enterprise_id: int, kind: str = "liaison",
                      department_id: int | None = None, started_on: date | None = None) -> Assignment:
    """Assign a liaison or a leader to an enterprise from today or a given date.
    Raises NotFound (enterprise, user or department out of scope), Forbidden (neither admin nor
    coordinator), ValidationFailed (the user's role does not fit the kind), Conflict (already assigned)."""
    enterprise = _manageable_enterprise(actor, enterprise_id)
    user = db.session.get(User, user_id)
    if user is None or not (actor.is_admin or region_in_scope(actor, user.region)):
        raise NotFound("用户不存在", errors={"user_id": ["用户不存在"]})
    if user.role != ROLE_FOR_KIND[kind]:
        expected = "联络员" if kind == "liaison" else "领导（viewer）"
        raise ValidationFailed(f"该类派驻只能指定{expected}账号", field="user_id")
    if department_id is not None and db.session.get(Department, department_id) is None:
        raise NotFound("部门不存在", errors={"department_id": ["部门不存在"]})
    if kind == "liaison" and department_id is None:
        department_id = user.department_id
    started_on = started_on or local_today()
    duplicate = db.session.scalar(select(Assignment.id).where(
        Assignment.user_id == user_id, Assignment.enterprise_id == enterprise.id, Assignment.kind == kind,
        Assignment.ended_on.is_(None)))
    if duplicate is not None:
        raise Conflict("该人员已派驻到该企业")
    assignment = Assignment(kind=kind, user_id=user_id, enterprise_id=enterprise.id, department_id=department_id,
                            started_on=started_on, created_by_id=actor.user_id)
    db.session.add(assignment)
    db.session.flush()
    audit.record(actor, "assignment.created", "assignment", assignment.id,
                 {"user_id": user_id, "enterprise_id": enterprise.id, "kind": kind})
    return assignment


@unit_of_work()
def end_assignment(*, actor: Actor, assignment_id: int, ended_on: date | None = None) -> Assignment:
    """End an assignment today or on a given date.
    Raises NotFound (out of scope), Forbidden (neither admin nor coordinator), Conflict (already ended),
    ValidationFailed (ends before it started)."""
    assignment = db.session.scalar(select(Assignment).where(
        Assignment.id == assignment_id, enterprise_clause(actor, Assignment.enterprise_id)))
    if assignment is None:
        raise NotFound("派驻记录不存在")
    if not may_administer(actor):
        raise Forbidden("只有管理员或专班协调员可以结束派驻")
    if assignment.ended_on is not None:
        raise Conflict("该派驻已结束")
    ended_on = ended_on or local_today()
    if ended_on < assignment.started_on:
        raise ValidationFailed("结束日期不能早于开始日期", field="ended_on")
    assignment.ended_on = ended_on
    audit.record(actor, "assignment.ended", "assignment", assignment.id, {"ended_on": ended_on})
    return assignment


def assignment_page(*, actor: Actor, **args) -> dict:
    """One page of assignments in scope, history included. Raises ValidationFailed (bad cursor)."""
    return paged(list_assignments, sorts.ASSIGNMENTS, actor=actor, **args)
