"""The newest observation wins: an enterprise's operating status and headcount follow whichever
observation describes the latest moment, not whichever was filed last.

An observation's moment ("as of"): a visit's `visited_at`; a monthly status report's end of month,
or its filing time when filed during that month; an edit of the enterprise, when it was made. Filing
or replacing an older month's report, or a visit entered after the fact, therefore leaves a later
visit's or report's figures on the enterprise (they stay in the report and in the history)."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from sqlalchemy import func, select

from services.db import db
from services.models import EnterpriseChange, StatusReport, Visit
from services.timeutil import zone

FIELDS = ("operating_status", "employees")


def report_as_of(period: str, filed_at: datetime) -> datetime:
    """The moment a report of `period` (YYYY-MM) describes: the end of that month, or its filing if earlier."""
    year, month = int(period[:4]), int(period[5:7])
    following = date(year + month // 12, month % 12 + 1, 1)
    end = datetime.combine(following, time.min, tzinfo=zone()).astimezone(timezone.utc)
    return min(end, filed_at)


def _newest_other(enterprise_id: int, field: str, *, visit_id: int | None, period: str | None) -> datetime | None:
    column = getattr(Visit, field)
    visits = select(func.max(Visit.visited_at)).where(Visit.enterprise_id == enterprise_id, column.is_not(None))
    if visit_id is not None:
        visits = visits.where(Visit.id != visit_id)
    moments = [db.session.scalar(visits)]
    reports = select(StatusReport.period, StatusReport.updated_at).where(StatusReport.enterprise_id == enterprise_id)
    if period is not None:
        reports = reports.where(StatusReport.period != period)
    latest = db.session.execute(reports.order_by(StatusReport.period.desc()).limit(1)).first()
    if latest is not None:
        moments.append(report_as_of(latest.period, latest.updated_at))
    moments.append(db.session.scalar(select(func.max(EnterpriseChange.changed_at)).where(
        EnterpriseChange.enterprise_id == enterprise_id, EnterpriseChange.field == field,
        EnterpriseChange.source == "edit")))
    moments = [m if m.tzinfo else m.replace(tzinfo=timezone.utc) for m in moments if m is not None]
    return max(moments, default=None)


def newest_first(enterprise_id: int, as_of: datetime, values: dict, *, visit_id: int | None = None,
                 period: str | None = None) -> dict:
    """Of the observed `values` (field → value, None = not observed), those no other observation of the
    enterprise outdates: what may be applied to it."""
    kept = {}
    for field in FIELDS:
        if values.get(field) is None:
            continue
        other = _newest_other(enterprise_id, field, visit_id=visit_id, period=period)
        if other is None or as_of >= other:
            kept[field] = values[field]
    return kept
