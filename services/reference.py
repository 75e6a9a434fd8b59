"""Regions, departments and enum labels."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from services import audit
from services.actors import Actor
from services.db import db, unit_of_work
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, VersionMismatch
from services.models import CalendarDay, Department, Region

PARENT_LEVEL = {"province": None, "prefecture": "province", "county": "prefecture"}


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden()


def list_regions(*, level: str | None = None, parent_id: int | None = None) -> Select:
    stmt = select(Region).options(selectinload(Region.parent))  # parent_name, one IN query per page
    if level:
        stmt = stmt.where(Region.level == level)
    if parent_id is not None:
        stmt = stmt.where(Region.parent_id == parent_id)
    return stmt


def get_region_or_raise(region_id: int) -> Region:
    region = db.session.get(Region, region_id)
    if region is None:
        raise NotFound("区划不存在")
    return region


def add_region(*, code: str, name: str, level: str, parent: Region | None) -> Region:
    """Insert a region and its materialised path (no commit: shared by the demo loader)."""
    region = Region(code=code, name=name, level=level, parent_id=parent.id if parent else None)
    db.session.add(region)
    db.session.flush()
    region.path = f"{parent.path if parent else '/'}{region.id}/"
    return region


@unit_of_work()
def create_region(*, actor: Actor, code: str, name: str, level: str, parent_id: int | None = None) -> Region:
    _require_admin(actor)
    parent = db.session.get(Region, parent_id) if parent_id is not None else None
    if parent_id is not None and parent is None:
        raise NotFound("上级区划不存在", errors={"parent_id": ["上级区划不存在"]})
    expected_parent = PARENT_LEVEL[level]
    if (parent.level if parent else None) != expected_parent:
        raise ValidationFailed("上级区划层级不符", field="parent_id")
    if db.session.scalar(select(Region.id).where(Region.code == code)):
        raise Conflict("区划代码已存在", errors={"code": ["区划代码已存在"]})
    region = add_region(code=code, name=name, level=level, parent=parent)
    audit.record(actor, "region.created", "region", region.id, {"code": code, "name": name})
    return region


@unit_of_work()
def update_region(*, actor: Actor, region_id: int, expected_version: int, changes: dict) -> Region:
    _require_admin(actor)
    region = get_region_or_raise(region_id)
    if region.version != expected_version:
        raise VersionMismatch()
    if "code" in changes and db.session.scalar(
            select(Region.id).where(Region.code == changes["code"], Region.id != region.id)):
        raise Conflict("区划代码已存在", errors={"code": ["区划代码已存在"]})
    for key, value in changes.items():
        setattr(region, key, value)
    audit.record(actor, "region.updated", "region", region.id, {"fields": sorted(changes)})
    return region


def list_departments(*, region: int | None = None) -> Select:
    stmt = select(Department)
    if region is not None:
        stmt = stmt.where(Department.region_id == region)
    return stmt


def get_department_or_raise(department_id: int) -> Department:
    department = db.session.get(Department, department_id)
    if department is None:
        raise NotFound("部门不存在")
    return department


@unit_of_work()
def create_department(*, actor: Actor, name: str, region_id: int, industries: list[str] | None = None) -> Department:
    _require_admin(actor)
    if db.session.get(Region, region_id) is None:
        raise NotFound("区划不存在", errors={"region_id": ["区划不存在"]})
    department = Department(name=name, region_id=region_id, industries=sorted(set(industries or [])))
    db.session.add(department)
    db.session.flush()
    audit.record(actor, "department.created", "department", department.id, {"name": name})
    return department


@unit_of_work()
def update_department(*, actor: Actor, department_id: int, expected_version: int,
                      changes: dict) -> Department:
    _require_admin(actor)
    department = get_department_or_raise(department_id)
    if department.version != expected_version:
        raise VersionMismatch()
    if "region_id" in changes and db.session.get(Region, changes["region_id"]) is None:
        raise NotFound("区划不存在", errors={"region_id": ["区划不存在"]})
    if "industries" in changes:
        changes["industries"] = sorted(set(changes["industries"]))
    for key, value in changes.items():
        setattr(department, key, value)
    audit.record(actor, "department.updated", "department", department.id, {"fields": sorted(changes)})
    return department


# --- the working-day calendar (holidays and 调休 make-up days), kept up to date by admins -------------

def list_calendar(*, year: int | None = None) -> Select:
    stmt = select(CalendarDay)
    if year is not None:
        stmt = stmt.where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    return stmt.order_by(CalendarDay.day)


@unit_of_work()
def set_calendar_day(*, actor: Actor, day: date, is_workday: bool, note: str = "") -> tuple[CalendarDay, bool]:
    """Declare a statutory holiday (is_workday false) or a make-up working day (true). (row, created)."""
    _require_admin(actor)
    row = db.session.get(CalendarDay, day)
    created = row is None
    if created:
        row = CalendarDay(day=day, is_workday=is_workday, note=note)
        db.session.add(row)
    else:
        row.is_workday, row.note = is_workday, note
    audit.record(actor, "calendar.set", "calendar_day", day.isoformat(), {"is_workday": is_workday, "note": note})
    return row, created


@unit_of_work()
def delete_calendar_day(*, actor: Actor, day: date) -> None:
    """Back to the Monday–Friday rule for that day."""
    _require_admin(actor)
    row = db.session.get(CalendarDay, day)
    if row is None:
        raise NotFound("该日期没有特别安排")
    db.session.delete(row)
    audit.record(actor, "calendar.deleted", "calendar_day", day.isoformat())
