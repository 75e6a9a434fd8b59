"""Factories for the objects tests build: fresh regions, users, enterprises, problems, visits, reports and
changes, inserted as model rows in regions of their own, so a test does not lean on the demo seed's names."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from services import passwords
from services.credit_code import complete
from services.db import db
from services.models import Enterprise, EnterpriseChange, EnterpriseTag, Problem, Region, StatusReport, User, Visit
from services.problems import stints
from services.reference import add_region

SHANGHAI = ZoneInfo("Asia/Shanghai")
_serial = itertools.count(1)


def local(year, month, day, hour=12, minute=0) -> datetime:
    """A wall-clock time in Asia/Shanghai (aware)."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def region(code: str, name: str, level: str, parent: Region | None) -> Region:
    return add_region(code=code, name=name, level=level, parent=parent)


def fresh_prefecture(code: str = "629900", counties: int = 2) -> tuple[Region, list[Region]]:
    """A new prefecture under 甘肃省 with its own counties: no demo data reaches it."""
    province = db.session.scalar(db.select(Region).where(Region.code == "620000"))
    prefecture = region(code, f"测试州{code}", "prefecture", province)
    made = [region(f"{code[:4]}{i + 1:02d}", f"测试县{code[:4]}{i + 1:02d}", "county", prefecture)
            for i in range(counties)]
    return prefecture, made


def user(username: str, role: str, region_: Region | None = None, enterprise: Enterprise | None = None) -> User:
    account = User(username=username, name=username, role=role, password_hash=passwords.hash_password("Demo@2026"),
                   region_id=region_.id if region_ else None, enterprise_id=enterprise.id if enterprise else None)
    db.session.add(account)
    db.session.flush()
    return account


def enterprise(county: Region, *, industry: str = "C", scale: str = "small", tags=(), status: str = "resumed",
               employees: int = 10, registered_on=None, deregistered_on=None, name: str | None = None) -> Enterprise:
    n = next(_serial)
    firm = Enterprise(name=name or f"测试企业{county.code}-{n}", credit_code=complete(f"91{county.code}T{n:08d}"),
                      entity_type="enterprise", scale=scale, industry=industry, region_id=county.id,
                      operating_status=status, employees=employees, registered_on=registered_on,
                      deregistered_on=deregistered_on)
    db.session.add(firm)
    db.session.flush()
    for tag in tags:
        db.session.add(EnterpriseTag(enterprise_id=firm.id, tag=tag))
    db.session.flush()
    return firm


def problem(firm: Enterprise, *, status: str = "pending", created_at: datetime, level: str = "county",
            category: str = "labor", owner: Region | None = None, **fields) -> Problem:
    n = next(_serial)
    item = Problem(number=f"T-{n:06d}", enterprise_id=firm.id, source="coordinator", category=category,
                   title=f"测试问题{n}", scope="county", level=level, owning_region_id=(owner.id if owner else
                                                                                firm.region_id),
                   status=status, arrived_at=created_at, created_at=created_at, updated_at=created_at, **fields)
    db.session.add(item)
    db.session.flush()
    stints.record_current(item)  # its one stint (办理段), as the workflow would have recorded it
    db.session.flush()
    return item


def visit(firm: Enterprise, liaison: User, at: datetime) -> Visit:
    item = Visit(enterprise_id=firm.id, liaison_id=liaison.id, method="on_site", visited_at=at, summary="走访")
    db.session.add(item)
    db.session.flush()
    return item


def report(firm: Enterprise, period: str, employees: int, status: str = "resumed", revenue=None) -> StatusReport:
    item = StatusReport(enterprise_id=firm.id, period=period, operating_status=status, employees=employees,
                        revenue_10k=revenue)
    db.session.add(item)
    db.session.flush()
    return item


def change(firm: Enterprise, field: str, old, new, at: datetime, source: str = "edit") -> EnterpriseChange:
    item = EnterpriseChange(enterprise_id=firm.id, field=field, old_value=old, new_value=new, source=source,
                            changed_at=at)
    db.session.add(item)
    db.session.flush()
    return item


def notification(recipient: User, n: int, *, object_type: str = "problem", object_id: int | None = None):
    """One inbox entry of `recipient` (the workflow's notices, made directly)."""
    from services.models import Notification

    item = Notification(user_id=recipient.id, kind="problem_assigned", title=f"测试通知{n}", body="",
                        object_type=object_type, object_id=object_id)
    db.session.add(item)
    db.session.flush()
    return item


def grow(*, enterprises: int = 40, problems_each: int = 2, visits_each: int = 2, notifications: int = 60) -> None:
    """More of the demo's own kind of data, spread over fresh counties and every demo liaison and coordinator,
    so that lists run well past 50 rows with varied related objects (regions, enterprises, users)."""
    from sqlalchemy import select

    from services.models import Assignment

    _prefecture, counties = fresh_prefecture("629800", counties=3)
    liaisons = list(db.session.scalars(select(User).where(User.role == "liaison").order_by(User.id)))
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    for i in range(enterprises):
        firm = enterprise(counties[i % len(counties)], tags=("key",) if i % 2 else ())
        liaison = liaisons[i % len(liaisons)]
        db.session.add(Assignment(user_id=liaison.id, enterprise_id=firm.id, kind="liaison",
                                  started_on=local(2026, 1, 1).date()))
        for j in range(problems_each):
            problem(firm, created_at=local(2026, 3, 1 + (i % 27), 9 + j), category=("labor", "finance")[j % 2])
        for j in range(visits_each):
            visit(firm, liaison, local(2026, 4, 1 + (i % 27), 10 + j))
    for n in range(notifications):
        notification(admin, n)
    db.session.flush()
