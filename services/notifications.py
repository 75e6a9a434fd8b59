"""Per-user inbox: who must act next gets an entry, and the outbox its deliveries, in the writer's transaction."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, func, literal, select, union_all, update

from services import delivery
from services.actors import Actor, active_assignment_clause
from services.db import db, unit_of_work, utcnow
from services.models import Assignment, Notification, User
from services.roles import Role
from services.paging import paged
from services import sorts


def notify(user_ids: Iterable[int], *, kind: str, title: str, body: str = "", object_type: str | None = None,
           object_id: int | None = None, exclude: int | None = None, extra: dict | None = None) -> int:
    """Add one notification per distinct user (never to `exclude`, usually the actor), and its deliveries
    through each user's channels to the outbox. No commit: a rolled-back change sends nothing."""
    return notify_all([(user_ids, {"kind": kind, "title": title, "body": body, "object_type": object_type,
                                   "object_id": object_id, "extra": extra})], exclude=exclude)


def notify_all(groups: Iterable[tuple[Iterable[int], dict]], *, exclude: int | None = None) -> int:
    """notify() for several groups at once — each (user ids, notify()'s keyword arguments) — with every
    notification in one INSERT (no ORM objects: nothing reads them back in the writer's transaction). How many
    were added."""
    rows, now = [], utcnow()
    for user_ids, fields in groups:
        fields = {"body": "", "object_type": None, "object_id": None, "extra": None, **fields}
        extra = fields.pop("extra")
        recipients = sorted({u for u in user_ids if u is not None and u != exclude})
        rows.extend({"user_id": user_id, **fields, "created_at": now} for user_id in recipients)
        delivery.enqueue_for_users(recipients, **fields, extra=extra)
    if rows:
        db.session.execute(Notification.__table__.insert(), rows)  # executemany: compiled once, not per request
    return len(rows)


def task_force_users(region_id: int) -> list[int]:
    """Coordinators of one region's task force."""
    return list(db.session.scalars(select(User.id).where(
        User.role == Role.COORDINATOR, User.region_id == region_id, User.is_active.is_(True))))


def enterprise_users(enterprise_id: int) -> list[int]:
    """Ids of the active accounts of an enterprise."""
    return list(db.session.scalars(select(User.id).where(
        User.role == Role.ENTERPRISE, User.enterprise_id == enterprise_id, User.is_active.is_(True))))


def enterprise_liaisons(enterprise_id: int, *, include_leaders: bool = False) -> list[int]:
    """Ids of the liaisons (and, if asked, leaders) currently assigned to an enterprise."""
    kinds = ("liaison", "leader") if include_leaders else ("liaison",)
    return list(db.session.scalars(select(Assignment.user_id).where(
        Assignment.enterprise_id == enterprise_id, Assignment.kind.in_(kinds), active_assignment_clause())))


def list_notifications(*, actor: Actor, unread: bool | None = None) -> Select:
    """Query of the actor's own notifications, optionally only unread or only read ones."""
    stmt = select(Notification).where(Notification.user_id == actor.user_id)
    if unread is True:
        stmt = stmt.where(Notification.read_at.is_(None))
    elif unread is False:
        stmt = stmt.where(Notification.read_at.is_not(None))
    return stmt


def unread_count(*, actor: Actor) -> int:
    """How many of the actor's notifications are unread."""
    return db.session.scalar(select(func.count()).where(
        Notification.user_id == actor.user_id, Notification.read_at.is_(None))) or 0


@unit_of_work()
def mark_read(*, actor: Actor, ids: list[int] | None = None, all_: bool = False) -> int:
    """Mark the given (or all) unread notifications of the actor read; how many changed."""
    stmt = update(Notification).where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
    if not all_:
        stmt = stmt.where(Notification.id.in_(ids or []))
    result = db.session.execute(stmt.values(read_at=utcnow()))
    return result.rowcount or 0


def filing_recipients(region_id: int, enterprise_id: int) -> tuple[list[int], list[int]]:
    """Who hears of a newly filed problem, in one query: the coordinators of the region's task force, and the
    enterprise's 包抓 leaders (task_force_users() and enterprise_leaders() together)."""
    task_force = select(User.id.label("user_id"), literal("task_force").label("told_as")).where(
        User.role == Role.COORDINATOR, User.region_id == region_id, User.is_active.is_(True))
    leaders = select(Assignment.user_id.label("user_id"), literal("leader").label("told_as")).where(
        Assignment.enterprise_id == enterprise_id, Assignment.kind == "leader", active_assignment_clause())
    rows = db.session.execute(union_all(task_force, leaders)).all()
    return ([r.user_id for r in rows if r.told_as == "task_force"],
            [r.user_id for r in rows if r.told_as == "leader"])


def enterprise_leaders(enterprise_id: int) -> list[int]:
    """包抓 leaders following the enterprise."""
    return list(db.session.scalars(select(Assignment.user_id).where(
        Assignment.enterprise_id == enterprise_id, Assignment.kind == "leader", active_assignment_clause())))


def notification_page(*, actor: Actor, **args) -> dict:
    """One page of the caller's notifications with the unread count. Raises ValidationFailed (bad cursor)."""
    return {**paged(list_notifications, sorts.NOTIFICATIONS, actor=actor, **args),
            "unread_count": unread_count(actor=actor)}
