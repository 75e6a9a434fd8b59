"""Who is acting, and the one place that decides what each role may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true

from services.db import db
from services.masking import mask_phone  # noqa: F401 - re-exported for the scope's callers
from services.models import Assignment, Enterprise, Region, User
from services.timeutil import local_today
from services.roles import Role

STAFF_ROLES = (Role.COORDINATOR, Role.VIEWER)


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str | None = None
    role: str = "anonymous"
    region_id: int | None = None
    region_path: str | None = None
    region_level: str | None = None
    enterprise_id: int | None = None
    department_id: int | None = None
    institution_id: int | None = None
    ip: str | None = None
    request_id: str | None = None
    session_id: str | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def for_user(cls, user: User, *, ip: str | None = None, request_id: str | None = None,
                 session_id: str | None = None) -> Actor:
        region = user.region
        return cls(
            user_id=user.id, username=user.username, role=user.role,
            region_id=user.region_id, region_path=region.path if region else None,
            region_level=region.level if region else None,
            enterprise_id=user.enterprise_id, department_id=user.department_id,
            institution_id=user.institution_id,
            ip=ip, request_id=request_id, session_id=session_id,
        )

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(user_id=None, username=name, role="system")

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.ADMIN, Role.SYSTEM)

    @property
    def is_regional(self) -> bool:
        return self.role in STAFF_ROLES and self.region_path is not None


def subtree_region_ids(path: str) -> Select:
    return select(Region.id).where(Region.path.startswith(path, autoescape=True))


def active_assignment_clause():
    today = local_today()
    return and_(
        Assignment.started_on <= today,
        or_(Assignment.ended_on.is_(None), Assignment.ended_on > today),
    )


def assigned_enterprise_ids(actor: Actor, kind: str | None = None) -> Select:
    stmt = select(Assignment.enterprise_id).where(Assignment.user_id == actor.user_id, active_assignment_clause())
    if kind:
        stmt = stmt.where(Assignment.kind == kind)
    return stmt


def enterprise_clause(actor: Actor, column=Enterprise.id) -> ColumnElement[bool]:
    """A WHERE clause on an enterprise id column: true for enterprises the actor may see."""
    if actor.is_admin:
        return true()
    if actor.is_regional:
        return column.in_(select(Enterprise.id).where(Enterprise.region_id.in_(subtree_region_ids(actor.region_path))))
    if actor.role == Role.LIAISON:
        return column.in_(assigned_enterprise_ids(actor, "liaison"))
    if actor.role == Role.ENTERPRISE and actor.enterprise_id:
        return column == actor.enterprise_id
    return false()


def region_clause(actor: Actor, column=Region.id) -> ColumnElement[bool]:
    """A WHERE clause on a region id column: regions inside the actor's subtree."""
    if actor.is_admin:
        return true()
    if actor.is_regional:
        return column.in_(subtree_region_ids(actor.region_path))
    return false()


def region_in_scope(actor: Actor, region: Region | None) -> bool:
    if region is None:
        return False
    if actor.is_admin:
        return True
    return bool(actor.region_path) and actor.role in (Role.COORDINATOR, Role.VIEWER) and region.path.startswith(actor.region_path)



def is_assigned_liaison(actor: Actor, enterprise_id: int) -> bool:
    if actor.role != Role.LIAISON:
        return False
    stmt = assigned_enterprise_ids(actor, "liaison").where(Assignment.enterprise_id == enterprise_id)
    return db.session.scalar(stmt.limit(1)) is not None


def sees_full_contact(actor: Actor) -> bool:
    """Contact phones are personal data: everyone who may see an enterprise sees them in
    full (its coordinators, its liaisons, admins, itself) except viewers (leaders, inspectors)."""
    return actor.role in (Role.ADMIN, Role.COORDINATOR, Role.LIAISON, Role.ENTERPRISE)
