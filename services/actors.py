"""Who is acting, and the one place that decides what each role may see."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true

from services.db import db
from services.masking import mask_phone  # noqa: F401 - re-exported for the scope's callers
from services.models import Assignment, Enterprise, Problem, Region, Task, User
from services.models.problems import SCOPE_LEVELS
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
        """The actor a signed-in user acts as, with its region's path and level."""
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
        """The actor of scheduled jobs and commands: no user, admin rights."""
        return cls(user_id=None, username=name, role="system")

    @property
    def is_admin(self) -> bool:
        """Whether the actor is an admin or the system."""
        return self.role in (Role.ADMIN, Role.SYSTEM)

    @property
    def is_regional(self) -> bool:
        """Whether the actor is staff bound to a region (their scope is that region's subtree)."""
        return self.role in STAFF_ROLES and self.region_path is not None


def subtree_region_ids(path: str) -> Select:
    """The ids of the region at `path` and of every region below it."""
    return select(Region.id).where(Region.path.startswith(path, autoescape=True))


def within_region(column, path: str) -> ColumnElement[bool]:
    """A WHERE clause on a region id column: the region at `path` or one below it (the one subtree filter)."""
    return column.in_(subtree_region_ids(path))


def active_assignment_clause():
    """SQL condition: the assignment has started and not yet ended (today, local time)."""
    today = local_today()
    return and_(
        Assignment.started_on <= today,
        or_(Assignment.ended_on.is_(None), Assignment.ended_on > today),
    )


def assigned_enterprise_ids(actor: Actor, kind: str | None = None) -> Select:
    """Query of the enterprise ids the actor is currently assigned to, optionally of one kind."""
    stmt = select(Assignment.enterprise_id).where(Assignment.user_id == actor.user_id, active_assignment_clause())
    if kind:
        stmt = stmt.where(Assignment.kind == kind)
    return stmt


def enterprise_clause(actor: Actor, column=Enterprise.id) -> ColumnElement[bool]:
    """A WHERE clause on an enterprise id column: true for enterprises the actor may see."""
    if actor.is_admin:
        return true()
    if actor.is_regional:
        return column.in_(select(Enterprise.id).where(within_region(Enterprise.region_id, actor.region_path)))
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
        return within_region(column, actor.region_path)
    return false()


def region_in_scope(actor: Actor, region: Region | None) -> bool:
    """Whether the region lies in a coordinator's or viewer's subtree (admins: every region; None: never)."""
    if region is None:
        return False
    if actor.is_admin:
        return True
    return bool(actor.region_path) and actor.role in (Role.COORDINATOR, Role.VIEWER) and region.path.startswith(actor.region_path)



# Actor.extra key: the enterprises a liaison is assigned to, read once for a whole page (with_liaison_enterprises).
LIAISON_OF = "liaison_of"


def with_liaison_enterprises(actor: Actor) -> Actor:
    """The actor with its current liaison assignments read once (one statement), so that asking
    is_assigned_liaison for every row of a page costs nothing more. For one read-only page: the copy is
    not the request's actor and an assignment made later is not in it."""
    if actor.role != Role.LIAISON or LIAISON_OF in actor.extra:
        return actor
    assigned = frozenset(db.session.scalars(assigned_enterprise_ids(actor, "liaison")))
    return replace(actor, extra={**actor.extra, LIAISON_OF: assigned})


def is_assigned_liaison(actor: Actor, enterprise_id: int) -> bool:
    """Whether the actor is a liaison currently assigned to the enterprise."""
    if actor.role != Role.LIAISON:
        return False
    if LIAISON_OF in actor.extra:
        return enterprise_id in actor.extra[LIAISON_OF]
    stmt = assigned_enterprise_ids(actor, "liaison").where(Assignment.enterprise_id == enterprise_id)
    return db.session.scalar(stmt.limit(1)) is not None


def sees_full_contact(actor: Actor) -> bool:
    """Contact phones are personal data: everyone who may see an enterprise sees them in
    full (its coordinators, its liaisons, admins, itself) except viewers (leaders, inspectors)."""
    return actor.role in (Role.ADMIN, Role.COORDINATOR, Role.LIAISON, Role.ENTERPRISE)


def department_problem_ids(actor: Actor) -> Select:
    """The problems a department user may read: those dispatched to its department (any task, any status)."""
    return select(Task.problem_id).where(Task.department_id == (actor.department_id or 0))


def problem_clause(actor: Actor, *, enterprise_id: int | None = None) -> ColumnElement[bool]:
    """A WHERE clause on problems: a department user's are the problems dispatched to it; everyone else's
    follow the enterprises they may see (for coordinators and viewers through the problem's copy of its
    enterprise's region ancestry, services/problems/scope.py). With `enterprise_id`: that enterprise's problems
    the actor may see (for coordinators and viewers: all of them when the enterprise lies in the subtree,
    checked once, so that the enterprise's own index answers the list rather than a walk of the scope)."""
    if actor.role == Role.DEPARTMENT:
        clause = Problem.id.in_(department_problem_ids(actor))
        return clause if enterprise_id is None else and_(Problem.enterprise_id == enterprise_id, clause)
    if enterprise_id is not None and actor.is_regional:
        return and_(Problem.enterprise_id == enterprise_id, exists(select(Enterprise.id).where(
            Enterprise.id == enterprise_id, within_region(Enterprise.region_id, actor.region_path))))
    if enterprise_id is not None:
        return and_(Problem.enterprise_id == enterprise_id, enterprise_clause(actor, Problem.enterprise_id))
    if actor.is_regional and actor.region_level in SCOPE_LEVELS and actor.region_id is not None:
        # The enterprise's region lies in the actor's subtree ⇔ its ancestor at the actor's level is the actor's
        # region: one equality on the problem's own column, which the scope indexes walk in order.
        return getattr(Problem, f"{actor.region_level}_id") == actor.region_id
    return enterprise_clause(actor, Problem.enterprise_id)


def enterprise_read_clause(actor: Actor, column=Enterprise.id) -> ColumnElement[bool]:
    """Enterprises whose basic facts the actor may read: its scope, and for a department user the enterprises
    of the problems dispatched to it (nothing else of theirs: visits, plans and reports stay out of sight)."""
    if actor.role == Role.DEPARTMENT:
        return column.in_(select(Problem.enterprise_id).where(Problem.id.in_(department_problem_ids(actor))))
    return enterprise_clause(actor, column)


def department_signed_enterprise_ids(actor: Actor) -> set[int]:
    """Enterprises whose contact phones a department user sees in full: one of its tasks on their problems
    has been signed (签收)."""
    return set(db.session.scalars(select(Problem.enterprise_id).join(Task, Task.problem_id == Problem.id).where(
        Task.department_id == (actor.department_id or 0), Task.signed_at.is_not(None))))
