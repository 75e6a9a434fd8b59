"""考核评价: the quarterly assessment of every county under a region, with the breakdown by industry."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from services import audit
from services.actors import Actor
from services.db import db, unit_of_work, utcnow
from services.errors import ValidationFailed
from services.models import Enterprise, EnterpriseChange, EnterpriseTag, Problem, Region, StatusReport, Visit
from services.problems import stints
from services.reporting import ratio, region_brief, report_region
from services.timeutil import day_bounds_utc, local_today

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
SME_SCALES = ("medium", "small", "micro")
SATISFIED = ("satisfied", "basically_satisfied")
# Tag rows written when an enterprise is first entered are data entry, not an entry into 规上.
NOT_AN_ENTRY = ("create", "demo")
RATE_METRICS = ("closure_rate", "on_time_rate", "satisfaction_rate", "visit_coverage")
RELATIVE_METRICS = ("entity_growth_rate", "employment_growth_rate", "net_above_scale")
METRICS = ("closure_rate", "on_time_rate", "satisfaction_rate", "reopen_rate", "visit_coverage",
           "entity_growth_rate", "employment_growth_rate", "net_above_scale")
COUNT_NAMES = ("problems", "closed", "closed_on_time", "open_overdue", "rated", "satisfied", "reopened",
               "key_enterprises", "key_visited", "entities_at_start", "registered", "deregistered",
               "sme_employees_first", "sme_employees_last", "above_scale_entered", "above_scale_left")


class Quarter:
    def __init__(self, year: int, number: int):
        self.year, self.number = year, number
        self.start = date(year, 3 * number - 2, 1)
        self.end = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
        self.start_utc = day_bounds_utc(self.start)[0]
        self.end_utc = day_bounds_utc(self.end)[0]
        self.first_period = f"{year}-{3 * number - 2:02d}"
        self.last_period = f"{year}-{3 * number:02d}"

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @classmethod
    def parse(cls, text: str | None) -> Quarter:
        if text is None:
            today = local_today()
            return cls(today.year, (today.month - 1) // 3 + 1)
        match = QUARTER.match(text)
        if not match or not 1900 <= int(match.group(1)) <= 2999:
            raise ValidationFailed("季度格式无效，应为 YYYYQn，如 2026Q3", field="quarter")
        return cls(int(match.group(1)), int(match.group(2)))


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _group(stmt, counties):
    return (stmt.where(Enterprise.region_id.in_(counties))
            .group_by(Enterprise.region_id, Enterprise.industry))


def _collect(sink: dict, rows, names: tuple[str, ...]) -> None:
    for row in rows:
        acc = sink[(row[0], row[1])]
        for name, value in zip(names, row[2:], strict=True):
            acc[name] += int(value or 0)


def _problem_counts(sink, counties, q: Quarter, as_of: datetime) -> None:
    """The quarter's workload: problems filed before its end, not closed before it began, and not
    rejected or withdrawn before its end. Open past due = not closed and past due at the quarter's end
    (or now, for the running quarter)."""
    ended_early = and_(Problem.status.in_(("rejected", "withdrawn")),
                       func.coalesce(Problem.rejected_at, Problem.withdrawn_at, q.start_utc) < q.end_utc)
    closed_in_q = and_(Problem.closed_at >= q.start_utc, Problem.closed_at < q.end_utc)
    rated = and_(Problem.satisfaction.is_not(None), or_(Problem.closed_at.is_(None), Problem.closed_at < q.end_utc))
    # Late on the county's own record: one of the stints its task force held passed a deadline while
    # its clock ran (time awaiting info does not count; moving the problem on does not clear it).
    late = stints.has_overdue_stint(as_of, region_column=Enterprise.region_id)
    stmt = (select(Enterprise.region_id, Enterprise.industry, func.count(Problem.id),
                   _count_if(closed_in_q),
                   _count_if(and_(closed_in_q, ~late)),
                   _count_if(and_(or_(Problem.closed_at.is_(None), Problem.closed_at >= as_of), late)),
                   _count_if(rated),
                   _count_if(and_(rated, Problem.satisfaction.in_(SATISFIED))),
                   _count_if(Problem.reopen_count >= 1))
            .join(Enterprise, Enterprise.id == Problem.enterprise_id)
            .where(Problem.created_at < q.end_utc, or_(Problem.closed_at.is_(None), Problem.closed_at >= q.start_utc),
                   ~ended_early))
    _collect(sink, db.session.execute(_group(stmt, counties)),
             ("problems", "closed", "closed_on_time", "open_overdue", "rated", "satisfied", "reopened"))


def _existing(q: Quarter):
    return and_(or_(Enterprise.registered_on.is_(None), Enterprise.registered_on < q.end),
                or_(Enterprise.deregistered_on.is_(None), Enterprise.deregistered_on >= q.start))


def _key_counts(sink, counties, q: Quarter) -> None:
    visited = exists().where(Visit.enterprise_id == Enterprise.id, Visit.visited_at >= q.start_utc,
                             Visit.visited_at < q.end_utc)
    stmt = (select(Enterprise.region_id, Enterprise.industry, func.count(Enterprise.id), _count_if(visited))
            .join(EnterpriseTag, and_(EnterpriseTag.enterprise_id == Enterprise.id, EnterpriseTag.tag == "key"))
            .where(_existing(q)))
    _collect(sink, db.session.execute(_group(stmt, counties)), ("key_enterprises", "key_visited"))


def _entity_counts(sink, counties, q: Quarter) -> None:
    at_start = and_(or_(Enterprise.registered_on.is_(None), Enterprise.registered_on < q.start),
                    or_(Enterprise.deregistered_on.is_(None), Enterprise.deregistered_on >= q.start))
    stmt = select(Enterprise.region_id, Enterprise.industry, _count_if(at_start),
                  _count_if(and_(Enterprise.registered_on >= q.start, Enterprise.registered_on < q.end)),
                  _count_if(and_(Enterprise.deregistered_on >= q.start, Enterprise.deregistered_on < q.end)))
    _collect(sink, db.session.execute(_group(stmt, counties)), ("entities_at_start", "registered", "deregistered"))


def _employment_counts(sink, counties, q: Quarter) -> None:
    """SMEs that reported in both the first and the last month of the quarter (a matched panel)."""
    first, last = aliased(StatusReport, name="first"), aliased(StatusReport, name="last")
    stmt = (select(Enterprise.region_id, Enterprise.industry, func.sum(first.employees), func.sum(last.employees))
            .join(first, and_(first.enterprise_id == Enterprise.id, first.period == q.first_period))
            .join(last, and_(last.enterprise_id == Enterprise.id, last.period == q.last_period))
            .where(Enterprise.scale.in_(SME_SCALES)))
    _collect(sink, db.session.execute(_group(stmt, counties)), ("sme_employees_first", "sme_employees_last"))


def _above_scale_counts(sink, counties, q: Quarter) -> None:
    stmt = (select(Enterprise.region_id, Enterprise.industry,
                   _count_if(EnterpriseChange.new_value == "added"),
                   _count_if(EnterpriseChange.new_value.is_(None)))
            .join(Enterprise, Enterprise.id == EnterpriseChange.enterprise_id)
            .where(EnterpriseChange.field == "tag:above_scale", EnterpriseChange.changed_at >= q.start_utc,
                   EnterpriseChange.changed_at < q.end_utc, EnterpriseChange.source.not_in(NOT_AN_ENTRY)))
    _collect(sink, db.session.execute(_group(stmt, counties)), ("above_scale_entered", "above_scale_left"))


def metrics(counts: dict) -> dict:
    """The assessed figures of one set of counts; a rate with nothing to divide by is None."""
    c = counts
    first = c["sme_employees_first"]
    return {
        "closure_rate": ratio(c["closed"], c["problems"]),
        "on_time_rate": ratio(c["closed_on_time"], c["closed"] + c["open_overdue"]),
        "satisfaction_rate": ratio(c["satisfied"], c["rated"]),
        "reopen_rate": ratio(c["reopened"], c["problems"]),
        "visit_coverage": ratio(c["key_visited"], c["key_enterprises"]),
        "entity_growth_rate": ratio(c["registered"] - c["deregistered"], c["entities_at_start"]),
        "employment_growth_rate": ratio(c["sme_employees_last"] - first, first),
        "net_above_scale": c["above_scale_entered"] - c["above_scale_left"],
    }


def score_rows(rows: list[dict], weights: dict[str, float]) -> None:
    """Score 0–100: rates count as they are, the reopen rate as 1 − rate, growth and net 规上 entries
    relative to the best and worst county that could be measured (min–max; all equal → full marks).
    Empty denominators: an indicator with nothing to measure (None: no problems, nothing rated, no key
    enterprise, no SME panel …) earns no points and its weight stays in the total — never rescaled
    away — so a county that did nothing cannot outrank one that worked. Ties share a rank."""
    spans = {}
    for name in RELATIVE_METRICS:
        values = [r[name] for r in rows if r[name] is not None]
        spans[name] = (min(values), max(values)) if values else None
    for row in rows:
        total = weight_sum = 0.0
        for name in METRICS:
            weight = float(weights.get(name, 0) or 0)
            value = row[name]
            if weight <= 0:
                continue
            weight_sum += weight
            if value is None:
                continue
            if name in RELATIVE_METRICS:
                low, high = spans[name]
                part = 1.0 if high == low else (value - low) / (high - low)
            elif name == "reopen_rate":
                part = 1.0 - value
            else:
                part = value
            total += weight * part
        row["score"] = round(100 * total / weight_sum, 1) if weight_sum else None
    scored = sorted((r["score"] for r in rows if r["score"] is not None), reverse=True)
    for row in rows:
        row["rank"] = None if row["score"] is None else scored.index(row["score"]) + 1


def assess(*, actor: Actor, weights: dict[str, float], region: int | None = None, quarter: str | None = None) -> dict:
    root = report_region(actor, region)
    q = Quarter.parse(quarter)
    as_of = min(utcnow(), q.end_utc)
    counties = list(db.session.scalars(select(Region).where(
        Region.level == "county", Region.path.startswith(root.path, autoescape=True)).order_by(Region.code)))
    county_ids = [c.id for c in counties]
    sink: dict = defaultdict(lambda: dict.fromkeys(COUNT_NAMES, 0))
    _problem_counts(sink, county_ids, q, as_of)
    _key_counts(sink, county_ids, q)
    _entity_counts(sink, county_ids, q)
    _employment_counts(sink, county_ids, q)
    _above_scale_counts(sink, county_ids, q)

    by_county: dict = defaultdict(lambda: dict.fromkeys(COUNT_NAMES, 0))
    by_industry: dict = defaultdict(lambda: dict.fromkeys(COUNT_NAMES, 0))
    for (county_id, industry), counts in sink.items():
        for name, value in counts.items():
            by_county[county_id][name] += value
            by_industry[industry][name] += value
    rows = []
    for county in counties:
        counts = by_county.get(county.id, dict.fromkeys(COUNT_NAMES, 0))
        rows.append({"region": region_brief(county), **metrics(counts), "counts": counts})
    score_rows(rows, weights)
    return {
        "quarter": str(q),
        "region": region_brief(root),
        "weights": {name: float(weights.get(name, 0) or 0) for name in METRICS},
        "rows": rows,
        "by_industry": [{"industry": industry, **metrics(by_industry[industry]), "counts": by_industry[industry]}
                        for industry in sorted(by_industry)],
    }


EXPORT_HEADERS = {
    "closure_rate": "销号率", "on_time_rate": "按期办结率", "satisfaction_rate": "满意率", "reopen_rate": "重办率",
    "visit_coverage": "重点企业走访覆盖率", "entity_growth_rate": "市场主体增长率",
    "employment_growth_rate": "中小企业用工增长率", "net_above_scale": "规上企业净增数",
}


def export(*, actor: Actor, weights: dict[str, float], fmt: str = "xlsx", region: int | None = None,
           quarter: str | None = None) -> tuple[str, str, bytes]:
    """The assessment as a file: (file name, ASCII file name, content).

    .xlsx: counties (with score and rank) and the breakdown by industry, rates formatted as percentages.
    .csv: the same two tables in one, the first column telling which (县区 / 行业)."""
    from services.exports import Column, columns, csv_stream, xlsx_bytes
    from services.labels import ENUM_LABELS

    result = assess(actor=actor, weights=weights, region=region, quarter=quarter)
    with unit_of_work():
        audit.record(actor, "assessment.exported", "region", result["region"]["id"],
                     {"format": fmt, "quarter": result["quarter"]})
    metric_columns = [Column(EXPORT_HEADERS[m], "int" if m == "net_above_scale" else "percent") for m in METRICS]
    counties = [[row["region"]["code"], row["region"]["name"], *[row[m] for m in METRICS], row["score"], row["rank"],
                 row["counts"]["problems"], row["counts"]["closed"]] for row in result["rows"]]
    industries = [[row["industry"], ENUM_LABELS["industry"].get(row["industry"], row["industry"]),
                   *[row[m] for m in METRICS], row["counts"]["problems"], row["counts"]["closed"]]
                  for row in result["by_industry"]]
    counts = columns(("问题数", "int"), ("销号数", "int"))
    county_columns = [*columns(("区划代码", "code"), "县（市、区）"), *metric_columns,
                      *columns(("综合得分", "number"), ("排名", "int")), *counts]
    base = f"assessment-{result['region']['code']}-{result['quarter']}.{fmt}"
    name = f"考核评价-{result['region']['name']}-{result['quarter']}.{fmt}"
    if fmt == "csv":
        merged = [Column("分组"), *county_columns]
        rows = [["县区", *r] for r in counties] + [["行业", *r[:2], *r[2:2 + len(METRICS)], None, None, *r[-2:]]
                                                 for r in industries]
        return name, base, b"".join(csv_stream(merged, rows))
    industry_columns = [*columns(("行业代码", "code"), "行业"), *metric_columns, *counts]
    return name, base, xlsx_bytes([("县区考核", county_columns, counties), ("分行业", industry_columns, industries)])
