"""产供销对接: the prefecture's catalogue of supply and sales needs, ranked candidates nearest first, and
matches (interest → accept → both see contacts → signed or no_deal)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, false, or_, select

from services import audit
from services.actors import Actor, enterprise_clause, subtree_region_ids
from services import sorts
from services.paging import paged
from services.db import db, unit_of_work, utcnow
from services.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from services.labels import ENUM_LABELS
from services.models import Enterprise, Match, Need, Region
from services.needs import core
from services.roles import Role
from services.similarity import tokens

TRADE_KINDS = ("supply", "sales")
OTHER_SIDE = {"supply": "sales", "sales": "supply"}
CATALOGUE_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.LIAISON, Role.ENTERPRISE)
TIER_NAMES = ("county", "prefecture", "province")
INDUSTRY_BONUS = 0.5
MAX_CANDIDATES = 2000


def catalogue_roles() -> tuple[str, ...]:
    """The roles that read the catalogue."""
    from services.needs import labor

    return CATALOGUE_ROLES + labor.DEPARTMENT_ROLES


def prefecture_of(region: Region | None) -> Region | None:
    """The prefecture a region lies in (a prefecture or province is its own)."""
    while region is not None and region.level == "county" and region.parent is not None:
        region = region.parent
    return region


def home_region(actor: Actor) -> Region | None:
    """The region the actor belongs to (its enterprise's county for an enterprise user)."""
    if actor.role == Role.ENTERPRISE and actor.enterprise_id:
        enterprise = db.session.get(Enterprise, actor.enterprise_id)
        return db.session.get(Region, enterprise.region_id) if enterprise else None
    return db.session.get(Region, actor.region_id) if actor.region_id else None


def catalogue(*, actor: Actor, kind=None, q: str | None = None, region: int | None = None) -> Select:
    """Open supply and sales needs of the caller's prefecture (admin: all); never money nor contacts. Forbidden for
    roles without a catalogue."""
    from services.filters import where_one_of

    if actor.role not in catalogue_roles():
        raise Forbidden("供需目录面向企业、联络员、专班和部门")
    stmt = select(Need).where(Need.kind.in_(TRADE_KINDS), Need.status == "open")
    if not actor.is_admin:
        root = prefecture_of(home_region(actor))
        stmt = stmt.where(Need.region_id.in_(subtree_region_ids(root.path)) if root else false())
    stmt = where_one_of(stmt, Need.kind, kind)
    if region is not None:
        root = db.session.get(Region, region)
        stmt = stmt.where(Need.region_id.in_(subtree_region_ids(root.path)) if root else false())
    if q:
        stmt = stmt.where(Need.product.contains(q, autoescape=True)
                          | Need.enterprise_id.in_(select(Enterprise.id).where(
                              Enterprise.name.contains(q, autoescape=True))))
    return stmt


def _tier(a: Region, b: Region) -> int | None:
    """0 same county, 1 same prefecture, 2 same province, None further."""
    if a.id == b.id:
        return 0
    ids_a, ids_b = a.path.strip("/").split("/"), b.path.strip("/").split("/")
    if len(ids_a) >= 2 and len(ids_b) >= 2 and ids_a[:2] == ids_b[:2]:
        return 1
    return 2 if ids_a[:1] == ids_b[:1] else None


def _words(need: Need) -> set[str]:
    return set(need.keywords or []) | {w.lower() for w in tokens(need.product or "")}


def candidates(*, actor: Actor, need_id: int, limit: int = 20) -> dict:
    """Matching needs and registry enterprises for a supply or sales need, nearest first, with reasons: NotFound,
    Forbidden, InvalidTransition (another kind)."""
    need = core.get_need(actor, need_id)
    if not (actor.is_admin or core.may_manage(actor, need)):
        raise Forbidden("只有需求企业、其联络员或专班可以查看匹配对象")
    if need.kind not in TRADE_KINDS:
        raise InvalidTransition("只有采购和销售需求有匹配对象", extra={"current_status": need.status,
                                                                    "allowed_actions": []})
    home = need.region
    province_path = "/" + home.path.strip("/").split("/")[0] + "/"
    words = _words(need)
    industry = need.enterprise.industry
    industry_label = ENUM_LABELS["industry"].get(industry, industry)
    rows = []

    def place(region: Region) -> tuple[int, str] | None:
        tier = _tier(home, region)
        if tier is None:
            return None
        reason = {0: f"同县（{region.name}）", 1: "同州（市）", 2: "省内"}[tier]
        return tier, reason

    others = db.session.scalars(select(Need).where(
        Need.kind == OTHER_SIDE[need.kind], Need.status == "open", Need.enterprise_id != need.enterprise_id,
        Need.region_id.in_(subtree_region_ids(province_path))).order_by(Need.id.desc()).limit(MAX_CANDIDATES))
    for other in others:
        shared = words & _words(other)
        if not shared:
            continue
        where = place(other.region)
        if where is None:
            continue
        score = len(shared) / max(len(words), 1)
        reasons = ["产品关键词相符：" + "、".join(sorted(shared))]
        if other.enterprise.industry == industry:
            score += INDUSTRY_BONUS
            reasons.append(f"同行业（{industry_label}）")
        reasons.append(where[1])
        rows.append({"source": "need", "need_id": other.id, "kind": other.kind, "product": other.product,
                     "quantity": other.details.get("quantity"), "unit": other.details.get("unit"),
                     "enterprise_id": other.enterprise_id, "enterprise_name": other.enterprise.name,
                     "region_id": other.region_id, "region_name": other.region.name,
                     "distance": TIER_NAMES[where[0]], "tier": where[0], "score": round(score, 4),
                     "reasons": reasons})
    registry = db.session.scalars(select(Enterprise).where(
        Enterprise.id != need.enterprise_id, Enterprise.deregistered_on.is_(None),
        Enterprise.region_id.in_(subtree_region_ids(province_path))).order_by(Enterprise.id).limit(MAX_CANDIDATES))
    for enterprise in registry:
        shared = {w for w in words if len(w) > 1 and w in enterprise.name.lower()}
        if not shared:
            continue
        region = db.session.get(Region, enterprise.region_id)
        where = place(region)
        if where is None:
            continue
        score = len(shared) / max(len(words), 1)
        reasons = ["企业名称含产品关键词：" + "、".join(sorted(shared))]
        if enterprise.industry == industry:
            score += INDUSTRY_BONUS
            reasons.append(f"同行业（{industry_label}）")
        reasons.append(where[1])
        rows.append({"source": "registry", "need_id": None, "kind": None, "product": None, "quantity": None,
                     "unit": None, "enterprise_id": enterprise.id, "enterprise_name": enterprise.name,
                     "region_id": region.id, "region_name": region.name, "distance": TIER_NAMES[where[0]],
                     "tier": where[0], "score": round(score, 4), "reasons": reasons})
    # 就地、就近、同等优先: the nearest tier first, then the better match; open needs before the registry.
    rows.sort(key=lambda r: (r["tier"], -r["score"], r["source"] != "need", r["enterprise_id"]))
    return {"need_id": need.id, "items": rows[:limit]}


# --- matches ----------------------------------------------------------------------------------


def matches_of(need: Need) -> list[Match]:
    """The matches a need takes part in, on either side."""
    return list(db.session.scalars(select(Match).where(or_(Match.need_id == need.id, Match.own_need_id == need.id))
                                   .order_by(Match.id)))


def _sides(actor: Actor, match: Match) -> tuple[bool, bool]:
    """(the caller acts for the catalogue need's enterprise, for the interested one)."""
    return core.is_party(actor, match.need.enterprise_id), core.is_party(actor, match.enterprise_id)


def _match_actions(actor: Actor, match: Match) -> list[str]:
    target, interested = _sides(actor, match)
    if match.status == "requested" and target:
        return ["accept", "decline"]
    if match.status == "accepted" and (target or interested):
        return ["report"]
    return []


def present_matches(actor: Actor, matches: list[Match]) -> list[Match]:
    """Attach what this actor is shown of each match (contacts once accepted, amounts, actions)."""
    for match in matches:
        target, interested = _sides(actor, match)
        staff = actor.role in (Role.ADMIN, Role.COORDINATOR)
        revealed = match.status in ("accepted", "signed", "no_deal")
        need_contact = {"name": match.need.enterprise.contact_name, "phone": match.need.enterprise.contact_phone}
        interested_contact = {"name": match.enterprise.contact_name, "phone": match.enterprise.contact_phone}
        match.view_contacts = {
            "need_side": need_contact if (staff or interested and revealed or target) else None,
            "interested_side": interested_contact if (staff or target and revealed or interested) else None,
        }
        match.view_money = staff or target or interested
        match.view_actions = _match_actions(actor, match)
    return matches


def list_matches(*, actor: Actor, status=None) -> Select:
    """The matches of the caller's enterprises; Forbidden for institutions and auditors."""
    from services.filters import where_one_of

    if actor.role not in CATALOGUE_ROLES + (Role.VIEWER,):
        raise Forbidden("无权查看供需对接")
    target_need = select(Need.id).where(enterprise_clause(actor, Need.enterprise_id))
    stmt = select(Match).where(or_(Match.need_id.in_(target_need), enterprise_clause(actor, Match.enterprise_id)))
    return where_one_of(stmt, Match.status, status)


def _load_match(actor: Actor, match_id: int) -> Match:
    stmt = list_matches(actor=actor).where(Match.id == match_id).with_for_update()
    match = db.session.scalar(stmt.execution_options(populate_existing=True))
    if match is None:
        raise NotFound("对接记录不存在")
    return match


def get_match_or_raise(*, actor: Actor, match_id: int) -> Match:
    """One match as this actor is shown it; Forbidden (role) or NotFound."""
    return present_matches(actor, [_load_match(actor, match_id)])[0]


@unit_of_work()
def express_interest(*, actor: Actor, need_id: int, enterprise_id: int | None = None, own_need_id: int | None = None,
                     note: str = "", now: datetime | None = None) -> Match:
    """意向对接 on a catalogue need of the prefecture: Forbidden (not an enterprise side), NotFound, ValidationFailed (its
    own need, a wrong own need), InvalidTransition (not open), Conflict (already expressed)."""
    if actor.role not in (Role.ENTERPRISE, Role.LIAISON):
        raise Forbidden("意向对接由企业或其联络员提出")
    enterprise_id = enterprise_id or actor.enterprise_id
    if enterprise_id is None:
        raise ValidationFailed("请指定代表的企业", field="enterprise_id")
    if not core.is_party(actor, enterprise_id):
        raise NotFound("企业不存在", errors={"enterprise_id": ["企业不存在"]})
    enterprise = db.session.get(Enterprise, enterprise_id)
    root = prefecture_of(db.session.get(Region, enterprise.region_id))
    target = db.session.scalar(select(Need).where(
        Need.id == need_id, Need.kind.in_(TRADE_KINDS), Need.region_id.in_(subtree_region_ids(root.path)))
        .with_for_update())
    if target is None:
        raise NotFound("需求不存在")
    if target.enterprise_id == enterprise_id:
        raise ValidationFailed("不能对本企业自己的需求表达意向", field="need_id")
    if target.status != "open":
        raise InvalidTransition("该需求已不在对接中", extra={"current_status": target.status, "allowed_actions": []})
    own = None
    if own_need_id is not None:
        own = db.session.scalar(select(Need).where(Need.id == own_need_id, Need.enterprise_id == enterprise_id))
        if own is None or own.kind != OTHER_SIDE[target.kind] or own.status != "open":
            raise ValidationFailed("须为本企业对接中的、与之相对的采购或销售需求", field="own_need_id")
    live = db.session.scalar(select(Match.id).where(Match.need_id == target.id, Match.enterprise_id == enterprise_id,
                                                    Match.status.in_(("requested", "accepted"))).limit(1))
    if live is not None:
        raise Conflict("已对该需求表达过意向")
    now = now or utcnow()
    match = Match(need_id=target.id, enterprise_id=enterprise_id, own_need_id=own.id if own else None,
                  requested_by_id=actor.user_id, status="requested", note=note, created_at=now, updated_at=now)
    db.session.add(match)
    db.session.flush()
    core.record(target, actor, "interest", before=target.status, at=now, match_id=match.id)
    core.tell(core.enterprise_side(target.enterprise_id), kind="match.requested",
              title=f"{enterprise.name}希望对接您的{core.label(target)}", need=target, exclude=actor.user_id)
    audit.record(actor, "match.requested", "match", match.id, {"need_id": target.id, "enterprise_id": enterprise_id})
    return present_matches(actor, [match])[0]


def _step(match: Match, actor: Actor, action: str, now: datetime, *, status: str | None = None, **fields) -> None:
    for need in filter(None, (match.need, match.own_need)):
        before = need.status
        if status == "matched" and need.status == "open":
            need.status = "matched"
        elif status == "fulfilled" and need.status in ("open", "matched"):
            need.status, need.closed_at = "fulfilled", now
        if status == "reopen":
            core.reopen_if_unmatched(need, actor, now, action, match_id=match.id, **fields)
        else:
            core.record(need, actor, action, before=before, at=now, match_id=match.id, **fields)


@unit_of_work()
def decide(*, actor: Actor, match_id: int, accept: bool, expected_version: int | None = None,
           now: datetime | None = None) -> Match:
    """The catalogue need's side accepts or declines an interest: NotFound, Forbidden, VersionMismatch,
    InvalidTransition."""
    match = _load_match(actor, match_id)
    target, _ = _sides(actor, match)
    if not target:
        raise Forbidden("只有被对接需求的企业或其联络员可以确认")
    core.check_version(expected_version, match.version)
    if match.status != "requested":
        raise InvalidTransition("该对接意向已处理", extra={"current_status": match.status,
                                                          "allowed_actions": _match_actions(actor, match)})
    if accept and match.need.status not in ("open", "matched"):
        raise InvalidTransition("该需求已结束", extra={"current_status": match.status, "allowed_actions": []})
    now = now or utcnow()
    match.status = "accepted" if accept else "declined"
    if accept:
        match.accepted_at = now
        _step(match, actor, "match_accepted", now, status="matched")
        title = f"{match.need.enterprise.name}已确认对接，可查看对方联系方式"
    else:
        core.record(match.need, actor, "match_declined", before=match.need.status, at=now, match_id=match.id)
        title = f"{match.need.enterprise.name}婉拒了对接意向"
    core.tell(core.enterprise_side(match.enterprise_id), kind=f"match.{match.status}", title=title, need=match.need,
              exclude=actor.user_id)
    audit.record(actor, f"match.{match.status}", "match", match.id, {})
    return present_matches(actor, [match])[0]


@unit_of_work()
def report(*, actor: Actor, match_id: int, outcome: str, amount_10k: float | None = None,
           expected_version: int | None = None, now: datetime | None = None) -> Match:
    """Either side reports an accepted match as signed (with the amount) or no_deal: NotFound, Forbidden,
    VersionMismatch, InvalidTransition, ValidationFailed."""
    match = _load_match(actor, match_id)
    target, interested = _sides(actor, match)
    if not (target or interested):
        raise Forbidden("只有对接双方企业或其联络员可以报告结果")
    core.check_version(expected_version, match.version)
    if match.status != "accepted":
        raise InvalidTransition("只有已确认的对接可以报告结果",
                                extra={"current_status": match.status, "allowed_actions": _match_actions(actor, match)})
    if outcome == "signed" and not amount_10k:
        raise ValidationFailed("签约须填写金额", field="amount_10k")
    now = now or utcnow()
    match.status, match.reported_at = outcome, now
    if outcome == "signed":
        match.amount_10k = amount_10k
        _step(match, actor, "signed", now, status="fulfilled", amount_10k=amount_10k)
        title = f"对接已签约：{amount_10k:g} 万元"
    else:
        _step(match, actor, "no_deal", now, status="reopen")
        title = "对接未成交"
    other = match.enterprise_id if target else match.need.enterprise_id
    core.tell(core.enterprise_side(other), kind=f"match.{outcome}", title=title, need=match.need, exclude=actor.user_id)
    audit.record(actor, f"match.{outcome}", "match", match.id, {"amount_10k": amount_10k})
    return present_matches(actor, [match])[0]


def catalogue_page(*, actor: Actor, **args) -> dict:
    """One page of the prefecture's catalogue (no money, no contacts). Raises Forbidden, ValidationFailed."""
    return paged(catalogue, sorts.NEEDS, actor=actor, **args)


def match_page(*, actor: Actor, **args) -> dict:
    """One page of the caller's matches, shown as it may see them. Raises Forbidden, ValidationFailed."""
    page = paged(list_matches, sorts.MATCHES, actor=actor, **args)
    present_matches(actor, page["items"])
    return page
