"""月度监测: one operating-status report per enterprise and month."""

from __future__ import annotations

import re

from sqlalchemy import Select, select

from services import audit, monitoring, observations
from services.actors import Actor, enterprise_clause, is_assigned_liaison
from services.db import db, unit_of_work, utcnow
from services.enterprises import observe
from services.errors import Forbidden, NotFound, PreconditionRequired, ValidationFailed, VersionMismatch
from services.models import Enterprise, StatusReport
from services.timeutil import local_today
from services.roles import Role

PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
FIELDS = ("operating_status", "employees", "revenue_10k", "capacity_pct", "note")


def check_period_format(period: str) -> str:
    match = PERIOD.match(period or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise ValidationFailed("月份格式应为 YYYY-MM", field="period")
    return period


def check_period(period: str) -> str:
    check_period_format(period)
    if period > local_today().strftime("%Y-%m"):
        raise ValidationFailed("不能填报未来月份", field="period")
    return period


def _enterprise(actor: Actor, enterprise_id: int) -> Enterprise:
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.id == enterprise_id, enterprise_clause(actor)))
    if enterprise is None:
        raise NotFound("企业不存在")
    return enterprise


@unit_of_work()
def put_report(*, actor: Actor, enterprise_id: int, period: str, expected_version: int | None,
               fields: dict) -> tuple[StatusReport, bool]:
    """Create (True) or replace (False) the month's report; replacing needs the version the caller saw."""
    enterprise = _enterprise(actor, enterprise_id)
    own = actor.role == Role.ENTERPRISE and actor.enterprise_id == enterprise.id
    if not (own or is_assigned_liaison(actor, enterprise.id) or actor.role == Role.COORDINATOR or actor.is_admin):
        raise Forbidden("只有企业本身、派驻联络员或属地专班可以填报月度监测")
    check_period(period)
    report = db.session.scalar(select(StatusReport).where(StatusReport.enterprise_id == enterprise.id,
                                                          StatusReport.period == period).with_for_update())
    created = report is None
    if created:
        report = StatusReport(enterprise_id=enterprise.id, period=period, filed_by_id=actor.user_id, **fields)
        db.session.add(report)
        db.session.flush()
    else:
        if expected_version is None:
            raise PreconditionRequired("覆盖已填报的月度监测需要携带 If-Match 版本号")
        if expected_version != report.version:
            raise VersionMismatch()
        for key in FIELDS:
            setattr(report, key, fields.get(key))
        report.filed_by_id = actor.user_id
    # The newest observation wins: an older month's report leaves a later visit's or report's figures.
    fresh = observations.newest_first(enterprise.id, observations.report_as_of(period, utcnow()),
                                      {key: fields.get(key) for key in observations.FIELDS}, period=period)
    if fresh and observe(enterprise, actor=actor, source="status_report", **fresh):
        monitoring.on_enterprise_observed(enterprise)
    audit.record(actor, "status_report.created" if created else "status_report.replaced", "status_report",
                 report.id, {"enterprise_id": enterprise.id, "period": period})
    return report, created


def get_report_or_raise(*, actor: Actor, enterprise_id: int, period: str) -> StatusReport:
    _enterprise(actor, enterprise_id)
    check_period_format(period)
    report = db.session.scalar(select(StatusReport).where(StatusReport.enterprise_id == enterprise_id,
                                                          StatusReport.period == period))
    if report is None:
        raise NotFound("该月尚未填报月度监测")
    return report


def list_reports(*, actor: Actor, enterprise_id: int) -> Select:
    _enterprise(actor, enterprise_id)
    return select(StatusReport).where(StatusReport.enterprise_id == enterprise_id)
