"""清欠 figures: the monthly county table (按月考核), its ranking, the quarterly indicator and the exports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select, type_coerce

from services import audit
from services.actors import Actor
from services.arrears.cases import list_cases
from services.db import db, unit_of_work
from services.errors import ValidationFailed
from services.exports import Column, columns
from services.models import ArrearsCase, ArrearsPlanMonth, ArrearsRepayment, Enterprise, Region
from services.models.arrears import AMOUNT, ZERO
from services.reporting import region_brief, report_region
from services.timeutil import day_bounds_utc, local_today

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_period(text: str | None) -> tuple[str, date, date]:
    """(YYYY-MM, first day, first day of the next month); the current month by default. Raises ValidationFailed."""
    if text is None:
        today = local_today()
        year, month = today.year, today.month
    else:
        match = PERIOD.match(text)
        if not match or not 2000 <= int(match.group(1)) <= 2099:
            raise ValidationFailed("月份格式无效，应为 YYYY-MM，如 2026-11", field="period")
        year, month = int(match.group(1)), int(match.group(2))
    start = date(year, month, 1)
    end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return f"{year:04d}-{month:02d}", start, end


def _sum(expression):
    return type_coerce(func.coalesce(func.sum(expression), 0), AMOUNT)


def _by_region(stmt) -> dict[int, Decimal]:
    return {region_id: Decimal(value or 0) for region_id, value in db.session.execute(stmt)}


def _completion(repaid: Decimal, planned: Decimal) -> float | None:
    return None if not planned else round(float(repaid / planned), 4)


def county_amounts(county_ids: list[int], start: date, end: date, first_period: str, last_period: str) \
        -> dict[int, tuple[Decimal, Decimal]]:
    """(planned, repaid) per county for the months first_period..last_period (dates [start, end))."""
    planned = _by_region(select(ArrearsCase.region_id, _sum(ArrearsPlanMonth.amount_10k))
                         .join(ArrearsCase, ArrearsCase.id == ArrearsPlanMonth.case_id)
                         .where(ArrearsCase.region_id.in_(county_ids), ArrearsPlanMonth.period >= first_period,
                                ArrearsPlanMonth.period <= last_period)
                         .group_by(ArrearsCase.region_id))
    repaid = _by_region(select(ArrearsCase.region_id, _sum(ArrearsRepayment.amount_10k))
                        .join(ArrearsCase, ArrearsCase.id == ArrearsRepayment.case_id)
                        .where(ArrearsCase.region_id.in_(county_ids), ArrearsRepayment.paid_on >= start,
                               ArrearsRepayment.paid_on < end)
                        .group_by(ArrearsCase.region_id))
    return {cid: (planned.get(cid, ZERO), repaid.get(cid, ZERO)) for cid in county_ids}


def completion_rates(county_ids: list[int], start: date, end: date, first_period: str, last_period: str) \
        -> dict[int, float | None]:
    """The assessment's arrears-completion indicator: repaid ÷ planned in the period (None: nothing planned)."""
    amounts = county_amounts(county_ids, start, end, first_period, last_period)
    return {cid: _completion(repaid, planned) for cid, (planned, repaid) in amounts.items()}


def monthly(*, actor: Actor, region: int | None = None, period: str | None = None) -> dict:
    """One row per county under the region: opening balance (undisputed still owed when the month began),
    newly filed, planned and repaid in the month, closing balance, completion rate, cases cleared, rank."""
    root = report_region(actor, region)
    label, start, end = parse_period(period)
    counties = list(db.session.scalars(select(Region).where(
        Region.level == "county", Region.path.startswith(root.path, autoescape=True)).order_by(Region.code)))
    ids = [c.id for c in counties]
    start_utc, end_utc = day_bounds_utc(start)[0], day_bounds_utc(end)[0]
    undisputed = ArrearsCase.amount_10k - ArrearsCase.disputed_10k
    owed_before = _by_region(select(ArrearsCase.region_id, _sum(undisputed))
                             .where(ArrearsCase.region_id.in_(ids), ArrearsCase.created_at < start_utc)
                             .group_by(ArrearsCase.region_id))
    paid_before = _by_region(select(ArrearsCase.region_id, _sum(ArrearsRepayment.amount_10k))
                             .join(ArrearsCase, ArrearsCase.id == ArrearsRepayment.case_id)
                             .where(ArrearsCase.region_id.in_(ids), ArrearsCase.created_at < start_utc,
                                    ArrearsRepayment.paid_on < start)
                             .group_by(ArrearsCase.region_id))
    new = _by_region(select(ArrearsCase.region_id, _sum(undisputed))
                     .where(ArrearsCase.region_id.in_(ids), ArrearsCase.created_at >= start_utc,
                            ArrearsCase.created_at < end_utc)
                     .group_by(ArrearsCase.region_id))
    # Repayments dated before a case was entered count in its opening balance's month, not this one.
    paid_new_before = _by_region(select(ArrearsCase.region_id, _sum(ArrearsRepayment.amount_10k))
                                 .join(ArrearsCase, ArrearsCase.id == ArrearsRepayment.case_id)
                                 .where(ArrearsCase.region_id.in_(ids), ArrearsCase.created_at >= start_utc,
                                        ArrearsCase.created_at < end_utc, ArrearsRepayment.paid_on < start)
                                 .group_by(ArrearsCase.region_id))
    amounts = county_amounts(ids, start, end, label, label)
    cleared = dict(db.session.execute(
        select(ArrearsCase.region_id, func.count(ArrearsCase.id))
        .where(ArrearsCase.region_id.in_(ids), ArrearsCase.cleared_at >= start_utc, ArrearsCase.cleared_at < end_utc)
        .group_by(ArrearsCase.region_id)).all())
    live = dict(db.session.execute(
        select(ArrearsCase.region_id, func.count(ArrearsCase.id))
        .where(ArrearsCase.region_id.in_(ids), ArrearsCase.created_at < end_utc,
               or_(ArrearsCase.cleared_at.is_(None), ArrearsCase.cleared_at >= end_utc))
        .group_by(ArrearsCase.region_id)).all())
    rows = []
    for county in counties:
        opening = owed_before.get(county.id, ZERO) - paid_before.get(county.id, ZERO)
        added = new.get(county.id, ZERO) - paid_new_before.get(county.id, ZERO)
        planned, repaid = amounts[county.id]
        rows.append({"region": region_brief(county), "opening_balance_10k": opening, "new_10k": added,
                     "planned_10k": planned, "repaid_10k": repaid, "closing_balance_10k": opening + added - repaid,
                     "completion_rate": _completion(repaid, planned), "cases_cleared": int(cleared.get(county.id, 0)),
                     "cases_outstanding": int(live.get(county.id, 0)), "rank": None})
    for row in rows:
        if row["completion_rate"] is not None:
            row["rank"] = 1 + sum(1 for r in rows if r["completion_rate"] is not None
                                  and r["completion_rate"] > row["completion_rate"])
    totals = {key: sum((r[key] for r in rows), ZERO) for key in
              ("opening_balance_10k", "new_10k", "planned_10k", "repaid_10k", "closing_balance_10k")}
    totals["completion_rate"] = _completion(totals["repaid_10k"], totals["planned_10k"])
    totals["cases_cleared"] = sum(r["cases_cleared"] for r in rows)
    totals["cases_outstanding"] = sum(r["cases_outstanding"] for r in rows)
    return {"period": label, "region": region_brief(root), "rows": rows, "total": totals}


MONTHLY_COLUMNS = [*columns(("区划代码", "code"), "县（市、区）"), Column("月初余额（万元）", "amount"),
                   Column("本月新增（万元）", "amount"), Column("本月计划（万元）", "amount"),
                   Column("本月清偿（万元）", "amount"), Column("月末余额（万元）", "amount"),
                   Column("完成率", "percent"), *columns(("清偿案件数", "int"), ("未清偿案件数", "int"), ("排名", "int"))]


def export_monthly(*, actor: Actor, region: int | None = None, period: str | None = None) -> tuple[str, str, bytes]:
    """The monthly county table as an .xlsx (file name, ASCII file name, content), audited; raises as monthly."""
    from services.exports import xlsx_bytes

    result = monthly(actor=actor, region=region, period=period)
    with unit_of_work():
        audit.record(actor, "arrears.monthly_exported", "region", result["region"]["id"], {"period": result["period"]})
    rows = [[r["region"]["code"], r["region"]["name"], r["opening_balance_10k"], r["new_10k"], r["planned_10k"],
             r["repaid_10k"], r["closing_balance_10k"], r["completion_rate"], r["cases_cleared"],
             r["cases_outstanding"], r["rank"]] for r in result["rows"]]
    t = result["total"]
    rows.append([result["region"]["code"], f"{result['region']['name']}合计", t["opening_balance_10k"], t["new_10k"],
                 t["planned_10k"], t["repaid_10k"], t["closing_balance_10k"], t["completion_rate"],
                 t["cases_cleared"], t["cases_outstanding"], None])
    name = f"清欠月度通报-{result['region']['name']}-{result['period']}.xlsx"
    ascii_name = f"arrears-monthly-{result['region']['code']}-{result['period']}.xlsx"
    return name, ascii_name, xlsx_bytes([("县区清欠进度", MONTHLY_COLUMNS, rows)])


CASE_COLUMNS = [*columns(("案件编号", "int"), "债权企业", ("统一社会信用代码", "code"), "所在县区", "债务人", "债务人类型",
                         "欠款来源"),
                Column("欠款金额（万元）", "amount"), Column("有分歧（万元）", "amount"), Column("无分歧（万元）", "amount"),
                Column("已清偿（万元）", "amount"), Column("剩余（万元）", "amount"),
                *columns("状态", "挂牌督办", "疑难复杂", ("登记时间", "datetime"), ("清偿时间", "datetime"),
                         ("销号时间", "datetime"))]
PLAN_COLUMNS = [*columns(("案件编号", "int"), "债权企业", "债务人", "月份"), Column("计划还款（万元）", "amount")]
REPAYMENT_COLUMNS = [*columns(("案件编号", "int"), "债权企业", "债务人", ("还款日期", "date")),
                     Column("金额（万元）", "amount"), Column("凭证说明")]


def export_cases(*, actor: Actor, labels: dict, **filters) -> Iterator[bytes]:
    """清欠台账 .xlsx: the cases (same filters and scope as the list), their plans and their repayments."""
    from services.exports import xlsx_stream

    return xlsx_stream(export_case_sheets(actor=actor, labels=labels, **filters))


def export_case_sheets(*, actor: Actor, labels: dict, **filters) -> list[tuple[str, list, Iterator[list]]]:
    """The three sheets of 清欠台账 (cases, plans, repayments) as (title, columns, rows); audited once."""
    base = list_cases(actor=actor, **filters)
    ids = base.with_only_columns(ArrearsCase.id).order_by(None).scalar_subquery()
    with unit_of_work():
        audit.record(actor, "arrears.exported", "arrears_case", None, {"filters": {k: v for k, v in filters.items()
                                                                                 if v is not None}})
    yes = {True: "是", False: "否"}

    def cases():
        for c in db.session.scalars(base.order_by(ArrearsCase.id)):
            yield [c.id, c.creditor.name, c.creditor.credit_code, c.region.name, c.debtor_name,
                   labels["debtor_kind"].get(c.debtor_kind, c.debtor_kind), c.origin, c.amount_10k, c.disputed_10k,
                   c.undisputed_10k, c.repaid_10k, c.remaining_10k, labels["arrears_status"].get(c.status, c.status),
                   yes[bool(c.supervised)], yes[bool(c.complex)], c.created_at, c.cleared_at, c.closed_at]

    def plans():
        stmt = (select(ArrearsPlanMonth, ArrearsCase.debtor_name, Enterprise.name)
                .join(ArrearsCase, ArrearsCase.id == ArrearsPlanMonth.case_id)
                .join(Enterprise, Enterprise.id == ArrearsCase.creditor_enterprise_id)
                .where(ArrearsCase.id.in_(ids)).order_by(ArrearsPlanMonth.case_id, ArrearsPlanMonth.period))
        for month, debtor, creditor in db.session.execute(stmt):
            yield [month.case_id, creditor, debtor, month.period, month.amount_10k]

    def repayments():
        stmt = (select(ArrearsRepayment, ArrearsCase.debtor_name, Enterprise.name)
                .join(ArrearsCase, ArrearsCase.id == ArrearsRepayment.case_id)
                .join(Enterprise, Enterprise.id == ArrearsCase.creditor_enterprise_id)
                .where(ArrearsCase.id.in_(ids)).order_by(ArrearsRepayment.case_id, ArrearsRepayment.paid_on,
                                                         ArrearsRepayment.id))
        for repayment, debtor, creditor in db.session.execute(stmt):
            yield [repayment.case_id, creditor, debtor, repayment.paid_on, repayment.amount_10k, repayment.note]

    return [("清欠台账", CASE_COLUMNS, cases()), ("还款计划", PLAN_COLUMNS, plans()),
            ("还款记录", REPAYMENT_COLUMNS, repayments())]

