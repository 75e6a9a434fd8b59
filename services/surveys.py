"""月度监测: a region's monthly status-report survey (read only; reports are filed elsewhere)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import and_, func, or_, select

from services.actors import Actor, within_region
from services.db import db
from services.errors import ValidationFailed
from services.models import Enterprise, StatusReport
from services.models.enterprises import OPERATING_STATUSES
from services.reporting import region_brief, report_region
from services.timeutil import local_today

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _period(text: str | None) -> tuple[str, date, date]:
    if text is None:
        today = local_today()
        text = f"{today.year}-{today.month:02d}"
    match = PERIOD.match(text)
    if not match or not 1900 <= int(match.group(1)) <= 2999:
        raise ValidationFailed("月份格式无效，应为 YYYY-MM", field="period")
    year, month = int(match.group(1)), int(match.group(2))
    start = date(year, month, 1)
    end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return text, start, end


def survey(*, actor: Actor, region: int | None = None, period: str | None = None) -> dict:
    """The month's reports in the region's subtree, their totals, and the enterprises expected to report
    (registered before the month ended, not deregistered before it began) that have not.
    Raises Forbidden (role without reports), NotFound (region out of scope), ValidationFailed (bad month)."""
    root = report_region(actor, region)
    period, start, end = _period(period)
    in_region = within_region(Enterprise.region_id, root.path)
    expected = and_(in_region, or_(Enterprise.registered_on.is_(None), Enterprise.registered_on < end),
                    or_(Enterprise.deregistered_on.is_(None), Enterprise.deregistered_on >= start))
    joined = (select(StatusReport, Enterprise.name).join(Enterprise, Enterprise.id == StatusReport.enterprise_id)
              .where(StatusReport.period == period, in_region))
    reports = db.session.execute(joined.order_by(Enterprise.region_id, Enterprise.name)).all()
    by_status = dict(db.session.execute(
        select(StatusReport.operating_status, func.count(StatusReport.id))
        .join(Enterprise, Enterprise.id == StatusReport.enterprise_id)
        .where(StatusReport.period == period, in_region).group_by(StatusReport.operating_status)).all())
    count, employees, revenue = db.session.execute(
        select(func.count(StatusReport.id), func.coalesce(func.sum(StatusReport.employees), 0),
               func.coalesce(func.sum(StatusReport.revenue_10k), 0))
        .join(Enterprise, Enterprise.id == StatusReport.enterprise_id)
        .where(StatusReport.period == period, in_region)).one()
    reported = select(StatusReport.enterprise_id).where(StatusReport.period == period)
    missing = db.session.execute(
        select(Enterprise.id, Enterprise.name, Enterprise.region_id)
        .where(expected, Enterprise.id.not_in(reported)).order_by(Enterprise.region_id, Enterprise.name)).all()
    expected_count = db.session.scalar(select(func.count(Enterprise.id)).where(expected))
    return {
        "region": region_brief(root),
        "period": period,
        "totals": {"count": int(count), "expected": int(expected_count or 0), "employees": int(employees),
                   "revenue_10k": float(revenue), "by_operating_status": {s: int(by_status.get(s, 0))
                                                                        for s in OPERATING_STATUSES}},
        "not_reported": [{"id": i, "name": n, "region_id": r} for i, n, r in missing],
        "items": [{"enterprise_id": report.enterprise_id, "enterprise_name": name, "period": report.period,
                   "operating_status": report.operating_status, "employees": report.employees,
                   "revenue_10k": None if report.revenue_10k is None else float(report.revenue_10k),
                   "capacity_pct": report.capacity_pct, "note": report.note, "updated_at": report.updated_at}
                  for report, name in reports],
    }
