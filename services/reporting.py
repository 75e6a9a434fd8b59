"""Shared pieces of the report queries: the region to report on, SQL date arithmetic, ratios."""

from __future__ import annotations

from sqlalchemy import func, select

from services.actors import Actor, region_in_scope
from services.roles import Role
from services.db import db
from services.errors import Forbidden, NotFound
from services.models import Region

REPORT_ROLES = (Role.ADMIN, Role.SYSTEM, Role.COORDINATOR, Role.VIEWER)


def report_region(actor: Actor, region_id: int | None) -> Region:
    """The region a report is about: given, else the caller's own (admin: the province). 404 out of scope.
    Raises Forbidden (role without reports), NotFound (out of scope)."""
    if actor.role not in REPORT_ROLES:
        raise Forbidden("仅专班协调员、领导督查和管理员可以查看统计报表")
    if region_id is None:
        if actor.region_id is not None:
            region_id = actor.region_id
        else:
            region_id = db.session.scalar(select(Region.id).where(Region.parent_id.is_(None)).order_by(Region.id))
    region = db.session.get(Region, region_id) if region_id is not None else None
    if region is None or not region_in_scope(actor, region):
        raise NotFound("区划不存在")
    return region


def region_brief(region: Region) -> dict:
    """A region as reports show it: id, code, name, level."""
    return {"id": region.id, "code": region.code, "name": region.name, "level": region.level}


def days_between(start, end):
    """(end - start) in days as a SQL expression, on SQLite and PostgreSQL."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", end - start) / 86400.0


def ratio(numerator: float | int, denominator: float | int) -> float | None:
    """A rate with four decimals; None when there is nothing to divide by."""
    if not denominator:
        return None
    return round(numerator / denominator, 4)
