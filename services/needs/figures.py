"""对接 figures per region and month and the monthly institution ranking, both read from the need events."""

from __future__ import annotations

import statistics
from datetime import date, datetime, time, timezone
from decimal import Decimal

from sqlalchemy import and_, case, distinct, func, or_, select

from services.actors import Actor, subtree_region_ids
from services.db import db
from services.errors import ValidationFailed
from services.exports import columns, xlsx_bytes
from services.labels import ENUM_LABELS
from services.models import Enterprise, Institution, InstitutionRegion, Match, MatchingSession, Need, NeedEvent, Region
from services.models.needs import NEED_KINDS, NEED_STATUSES
from services.reporting import days_between, ratio, region_brief, report_region
from services.timeutil import local_today, zone

SMALL_SCALES = ("micro", "small")


def parse_period(period: str | None) -> tuple[str, datetime, datetime]:
    """'YYYY-MM' (default: this month) → (period, start, end) in UTC, the local month's bounds; ValidationFailed
    otherwise."""
    if period is None:
        today = local_today()
        period = f"{today.year:04d}-{today.month:02d}"
    try:
        year, month = (int(part) for part in period.split("-"))
        first = date(year, month, 1)
    except (ValueError, TypeError):
        raise ValidationFailed("月份格式应为 YYYY-MM", field="period") from None
    following = date(year + month // 12, month % 12 + 1, 1)

    def utc(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=zone()).astimezone(timezone.utc)

    return period, utc(first), utc(following)


def _sum_if(condition, value):
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _block(root: Region, start: datetime, end: datetime, *, with_sessions: bool = True) -> dict:
    """The figures of one region's subtree for one month (the dashboard shows no sessions: it skips them)."""
    in_region = Need.region_id.in_(subtree_region_ids(root.path))
    as_of = (select(NeedEvent.to_status).where(NeedEvent.need_id == Need.id, NeedEvent.at < end)
             .order_by(NeedEvent.at.desc(), NeedEvent.id.desc()).limit(1).correlate(Need).scalar_subquery())
    existing = select(Need.kind.label("kind"), as_of.label("status")).where(in_region, Need.created_at < end).subquery()
    by_kind = {kind: dict.fromkeys(NEED_STATUSES, 0) for kind in NEED_KINDS}
    for kind, status, n in db.session.execute(select(existing.c.kind, existing.c.status, func.count())
                                              .group_by(existing.c.kind, existing.c.status)):
        if status in by_kind.get(kind, {}):
            by_kind[kind][status] = n

    month = and_(NeedEvent.at >= start, NeedEvent.at < end)
    small = Enterprise.scale.in_(SMALL_SCALES)
    row = db.session.execute(
        select(
            _sum_if(and_(NeedEvent.action == "create", Need.kind == "financing"), NeedEvent.amount_10k),
            _sum_if(NeedEvent.action == "granted", NeedEvent.amount_10k),
            _sum_if(and_(NeedEvent.action == "granted", small), NeedEvent.amount_10k),
            _sum_if(and_(NeedEvent.action == "create", Need.kind == "labor"), NeedEvent.count),
            _sum_if(NeedEvent.action == "placement", NeedEvent.count),
            _sum_if(NeedEvent.action == "offer", 1),
        ).select_from(NeedEvent).join(Need, Need.id == NeedEvent.need_id)
        .join(Enterprise, Enterprise.id == Need.enterprise_id).where(in_region, month)).one()
    new = dict.fromkeys(NEED_KINDS, 0)
    for kind, n in db.session.execute(select(Need.kind, func.count()).select_from(NeedEvent)
                                      .join(Need, Need.id == NeedEvent.need_id)
                                      .where(in_region, month, NeedEvent.action == "create").group_by(Need.kind)):
        new[kind] = n
    # A match is signed once, on the catalogue need it was about (its other need records it too).
    signed = db.session.execute(
        select(func.count(distinct(NeedEvent.match_id)), func.coalesce(func.sum(NeedEvent.amount_10k), 0))
        .join(Need, Need.id == NeedEvent.need_id)
        .join(Match, and_(Match.id == NeedEvent.match_id, Match.need_id == NeedEvent.need_id))
        .where(in_region, month, NeedEvent.action == "signed")).one()
    sessions = with_sessions and db.session.scalar(select(func.count()).select_from(MatchingSession).where(
        MatchingSession.region_id.in_(subtree_region_ids(root.path)),
        MatchingSession.held_on >= _local_date(start), MatchingSession.held_on < _local_date(end),
        MatchingSession.held_on <= local_today())) or 0  # a session later this month is not held yet
    return {
        "region": region_brief(root),
        "needs": {"by_kind": by_kind, "new": new, "total": sum(sum(s.values()) for s in by_kind.values())},
        "financing": {"asked_10k": round(float(row[0]), 2), "granted_10k": round(float(row[1]), 2),
                      "granted_small_10k": round(float(row[2]), 2), "offers": int(row[5])},
        "labor": {"posts_asked": int(row[3]), "posts_filled": int(row[4])},
        "matches": {"signed": int(signed[0]), "signed_10k": round(float(signed[1]), 2)},
        "sessions": {"held": sessions},
    }


def dashboard_blocks(regions: dict[int, int], start: datetime, end: datetime) -> dict[int, dict]:
    """The dashboard's 对接 rows of a subtree and of each child (`regions`: every region of the subtree → the key
    it adds to besides 0, the whole subtree): needs open at `end` by kind, and the month to date. Three queries
    grouped by the need's region, whatever the number of children (the figures _block gives each region)."""
    in_region = Need.region_id.in_(sorted(regions))
    keys = {0, *regions.values()}
    open_by_kind = {key: dict.fromkeys(NEED_KINDS, 0) for key in keys}
    as_of = (select(NeedEvent.to_status).where(NeedEvent.need_id == Need.id, NeedEvent.at < end)
             .order_by(NeedEvent.at.desc(), NeedEvent.id.desc()).limit(1).correlate(Need).scalar_subquery())
    existing = (select(Need.region_id.label("region_id"), Need.kind.label("kind"), as_of.label("status"))
                .where(in_region, Need.created_at < end).subquery())
    for region_id, kind, n in db.session.execute(
            select(existing.c.region_id, existing.c.kind, func.count())
            .where(existing.c.status.in_(("open", "matched")))
            .group_by(existing.c.region_id, existing.c.kind)):
        for key in {0, regions[region_id]}:
            if kind in open_by_kind[key]:
                open_by_kind[key][kind] += n

    month = and_(NeedEvent.at >= start, NeedEvent.at < end)
    sums = {key: [0, 0, 0, 0, 0] for key in keys}  # new, asked, granted, posts asked, posts filled
    for region_id, *row in db.session.execute(
            select(Need.region_id, _sum_if(NeedEvent.action == "create", 1),
                   _sum_if(and_(NeedEvent.action == "create", Need.kind == "financing"), NeedEvent.amount_10k),
                   _sum_if(NeedEvent.action == "granted", NeedEvent.amount_10k),
                   _sum_if(and_(NeedEvent.action == "create", Need.kind == "labor"), NeedEvent.count),
                   _sum_if(NeedEvent.action == "placement", NeedEvent.count))
            .select_from(NeedEvent).join(Need, Need.id == NeedEvent.need_id)
            .where(in_region, month).group_by(Need.region_id)):
        for key in {0, regions[region_id]}:
            sums[key] = [total + Decimal(str(value)) for total, value in zip(sums[key], row, strict=True)]
    # A match is signed once, on the catalogue need it was about (its other need records it too): a match
    # belongs to one need, so its need's region, and the distinct counts of the regions add up.
    signed = dict.fromkeys(keys, 0)
    for region_id, n in db.session.execute(
            select(Need.region_id, func.count(distinct(NeedEvent.match_id)))
            .join(Need, Need.id == NeedEvent.need_id)
            .join(Match, and_(Match.id == NeedEvent.match_id, Match.need_id == NeedEvent.need_id))
            .where(in_region, month, NeedEvent.action == "signed").group_by(Need.region_id)):
        for key in {0, regions[region_id]}:
            signed[key] += int(n)
    return {key: {"open_by_kind": open_by_kind[key], "new": int(sums[key][0]),
                  "financing_asked_10k": round(float(sums[key][1]), 2),
                  "financing_granted_10k": round(float(sums[key][2]), 2), "posts_asked": int(sums[key][3]),
                  "posts_filled": int(sums[key][4]), "matches_signed": signed[key]} for key in keys}


def _local_date(instant: datetime) -> date:
    return instant.astimezone(zone()).date()


def figures(*, actor: Actor, region: int | None = None, period: str | None = None) -> dict:
    """The month's 对接 figures of a region and each child region; Forbidden or NotFound as report_region."""
    root = report_region(actor, region)
    period, start, end = parse_period(period)
    children = db.session.scalars(select(Region).where(Region.parent_id == root.id).order_by(Region.code)).all()
    return {"period": period, **_block(root, start, end), "children": [_block(c, start, end) for c in children]}


# --- the monthly institution ranking ----------------------------------------------------------


def _institutions_for(root: Region) -> list[Institution]:
    """Institutions serving some part of the region: a service region above it, at it or inside it."""
    served = (select(InstitutionRegion.institution_id).join(Region, Region.id == InstitutionRegion.region_id)
              .where(or_(Region.path.startswith(root.path, autoescape=True),
                         func.substr(root.path, 1, func.length(Region.path)) == Region.path)))
    return list(db.session.scalars(select(Institution).where(Institution.id.in_(served)).order_by(Institution.id)))


def ranking(*, actor: Actor, region: int | None = None, period: str | None = None) -> dict:
    """The month's ranking of the institutions serving a region; Forbidden or NotFound as report_region."""
    root = report_region(actor, region)
    period, start, end = parse_period(period)
    institutions = _institutions_for(root)
    in_region = Need.region_id.in_(subtree_region_ids(root.path))
    month = and_(NeedEvent.at >= start, NeedEvent.at < end)
    small = Enterprise.scale.in_(SMALL_SCALES)
    counts = {i: r for i, *r in db.session.execute(
        select(NeedEvent.institution_id,
               _sum_if(NeedEvent.action == "offer", 1),
               _sum_if(NeedEvent.action == "granted", NeedEvent.amount_10k),
               _sum_if(and_(NeedEvent.action == "granted", small), NeedEvent.amount_10k),
               _sum_if(NeedEvent.action == "granted", 1),
               _sum_if(NeedEvent.action == "declined", 1))
        .join(Need, Need.id == NeedEvent.need_id).join(Enterprise, Enterprise.id == Need.enterprise_id)
        .where(in_region, month, NeedEvent.institution_id.is_not(None)).group_by(NeedEvent.institution_id))}
    # Days from a need's publication to an institution's first offer on it, for first offers made this month.
    first = (select(NeedEvent.institution_id.label("institution_id"), NeedEvent.need_id.label("need_id"),
                    func.min(NeedEvent.at).label("first_at"))
             .where(NeedEvent.action == "offer").group_by(NeedEvent.institution_id, NeedEvent.need_id).subquery())
    waits: dict[int, list[float]] = {}
    for institution_id, days in db.session.execute(
            select(first.c.institution_id, days_between(Need.created_at, first.c.first_at))
            .join(Need, Need.id == first.c.need_id)
            .where(in_region, first.c.first_at >= start, first.c.first_at < end)):
        waits.setdefault(institution_id, []).append(float(days))
    rows = []
    for institution in institutions:
        offers, granted, granted_small, n_granted, n_declined = counts.get(institution.id, (0, 0, 0, 0, 0))
        median = statistics.median(waits[institution.id]) if institution.id in waits else None
        rows.append({"institution_id": institution.id, "institution_name": institution.name,
                     "kind": institution.kind, "offers": int(offers),
                     "median_days_to_first_offer": round(median, 1) if median is not None else None,
                     "granted_10k": round(float(granted), 2), "granted_small_10k": round(float(granted_small), 2),
                     "granted_count": int(n_granted), "declined_count": int(n_declined),
                     "decline_rate": ratio(int(n_declined), int(n_granted) + int(n_declined))})
    # Rank 1 serves small enterprises best: most credit to micro and small firms, then most offers, then the
    # quickest first offer, then the lowest decline rate.
    rows.sort(key=lambda r: (-r["granted_small_10k"], -r["offers"],
                             r["median_days_to_first_offer"] if r["median_days_to_first_offer"] is not None else 1e9,
                             r["decline_rate"] if r["decline_rate"] is not None else 0, r["institution_id"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return {"period": period, "region": region_brief(root), "rows": rows}


# --- exports ----------------------------------------------------------------------------------

FIGURE_COLUMNS = columns("区划", ("需求总数", "int"), ("本月新增", "int"), ("融资需求（万元）", "number"),
                         ("放款（万元）", "number"), ("其中小微企业（万元）", "number"), ("授信意向", "int"),
                         ("招聘岗位", "int"), ("已招聘", "int"), ("签约对接", "int"), ("签约金额（万元）", "number"),
                         ("对接会", "int"))
STATUS_COLUMNS = columns("区划", "需求类型", *[(ENUM_LABELS["need_status"][s], "int") for s in NEED_STATUSES])
RANKING_COLUMNS = columns(("排名", "int"), "金融机构", "类型", ("授信意向", "int"), ("首次响应天数（中位数）", "number"),
                          ("放款（万元）", "number"), ("小微企业放款（万元）", "number"), ("放款笔数", "int"),
                          ("未获批笔数", "int"), ("未获批率", "percent"))


def _figure_row(block: dict) -> list:
    return [block["region"]["name"], block["needs"]["total"], sum(block["needs"]["new"].values()),
            block["financing"]["asked_10k"], block["financing"]["granted_10k"], block["financing"]["granted_small_10k"],
            block["financing"]["offers"], block["labor"]["posts_asked"], block["labor"]["posts_filled"],
            block["matches"]["signed"], block["matches"]["signed_10k"], block["sessions"]["held"]]


def export_figures(*, actor: Actor, region: int | None = None, period: str | None = None) -> tuple[str, str, bytes]:
    """The figures as an .xlsx: (file name, ASCII name, content)."""
    data = figures(actor=actor, region=region, period=period)
    blocks = [data, *data["children"]]
    statuses = [[b["region"]["name"], ENUM_LABELS["need_kind"][kind], *[b["needs"]["by_kind"][kind][s]
                                                                      for s in NEED_STATUSES]]
                for b in blocks for kind in NEED_KINDS]
    content = xlsx_bytes([("对接月报", FIGURE_COLUMNS, [_figure_row(b) for b in blocks]),
                          ("需求状态", STATUS_COLUMNS, statuses)])
    return f"对接月报-{data['region']['name']}-{data['period']}.xlsx", f"needs-{data['period']}.xlsx", content


def export_ranking(*, actor: Actor, region: int | None = None, period: str | None = None) -> tuple[str, str, bytes]:
    """The ranking as an .xlsx: (file name, ASCII name, content)."""
    data = ranking(actor=actor, region=region, period=period)
    rows = [[r["rank"], r["institution_name"], ENUM_LABELS["institution_kind"][r["kind"]], r["offers"],
             r["median_days_to_first_offer"], r["granted_10k"], r["granted_small_10k"], r["granted_count"],
             r["declined_count"], r["decline_rate"]] for r in data["rows"]]
    content = xlsx_bytes([("金融机构排名", RANKING_COLUMNS, rows)])
    return f"金融机构月度排名-{data['period']}.xlsx", f"institutions-{data['period']}.xlsx", content
