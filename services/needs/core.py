"""Needs: who sees them, what each caller is shown, their events, and filing, editing, withdrawing, expiring."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import flag_modified

from services import audit, notifications
from services.actors import Actor, enterprise_clause, is_assigned_liaison, mask_phone, subtree_region_ids
from services import sorts
from services.paging import paged
from services.db import db, unit_of_work, utcnow
from services.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed, VersionMismatch
from services.models import (
    Enterprise, InstitutionRegion, Match, Need, NeedEvent, Offer, Placement, Region, User,
)
from services.models.needs import NEED_OPEN_STATUSES
from services.needs import kinds
from services.roles import Role
from services.similarity import tokens
from services.timeutil import to_local


class Settings:
    expiry_days = 90  # an open need with no activity for this long expires (NEED_EXPIRY_DAYS)


settings = Settings()


def configure(*, expiry_days: int | None = None) -> None:
    """Set the expiry of stale needs (NEED_EXPIRY_DAYS) at start-up."""
    if expiry_days is not None:
        settings.expiry_days = expiry_days


FILER_ROLES = (Role.ENTERPRISE, Role.LIAISON, Role.COORDINATOR)
MONEY_HIDDEN_ROLES = (Role.VIEWER, Role.AUDITOR)


# --- scope ------------------------------------------------------------------------------------


def served_region_ids(institution_id: int | None) -> Select:
    """Regions inside the service regions of an institution."""
    served = aliased(Region, name="served")
    return (select(Region.id).join(served, Region.path.startswith(served.path))
            .join(InstitutionRegion, InstitutionRegion.region_id == served.id)
            .where(InstitutionRegion.institution_id == institution_id))


def visible_clause(actor: Actor) -> ColumnElement[bool]:
    """The needs the actor may read: its enterprises' (scope as everywhere); an institution: the open financing
    needs of its service regions and those it has offered on."""
    if actor.role == Role.INSTITUTION:
        if actor.institution_id is None:
            return false()
        offered = select(Offer.need_id).where(Offer.institution_id == actor.institution_id)
        return and_(Need.kind == "financing", Need.region_id.in_(served_region_ids(actor.institution_id)),
                    or_(Need.status == "open", Need.id.in_(offered)))
    if actor.role in (Role.AUDITOR,):
        return false()
    if actor.role == Role.DEPARTMENT:  # 人社: the labor needs of its region (other departments: none)
        from services.needs.labor import labor_clause

        return labor_clause(actor)
    return enterprise_clause(actor, Need.enterprise_id)


def get_need(actor: Actor, need_id: int, *, lock: bool = False) -> Need:
    """The need if the actor may see it (row-locked with `lock`); NotFound otherwise."""
    stmt = select(Need).where(Need.id == need_id, visible_clause(actor))
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    need = db.session.scalar(stmt)
    if need is None:
        raise NotFound("需求不存在")
    return need


def is_party(actor: Actor, enterprise_id: int) -> bool:
    """The enterprise itself or its liaison: the side that files, accepts and reports for it."""
    if actor.role == Role.ENTERPRISE:
        return actor.enterprise_id == enterprise_id
    return is_assigned_liaison(actor, enterprise_id)


def may_manage(actor: Actor, need: Need) -> bool:
    """The enterprise, its liaison, or a coordinator whose scope holds it (it sees the need as such)."""
    if actor.role == Role.COORDINATOR:
        return db.session.scalar(select(Enterprise.id).where(Enterprise.id == need.enterprise_id,
                                                             enterprise_clause(actor))) is not None
    return is_party(actor, need.enterprise_id)


def check_version(expected: int | None, current: int) -> None:
    """VersionMismatch when an If-Match version was sent and is not the current one."""
    if expected is not None and expected != current:
        raise VersionMismatch()


# --- events and notices -----------------------------------------------------------------------


def record(need: Need, actor: Actor, action: str, *, before: str | None, at: datetime, **fields) -> NeedEvent:
    """Add a need event and bump the need's version (no commit)."""
    event = NeedEvent(need_id=need.id, actor_id=actor.user_id, action=action, from_status=before,
                      to_status=need.status, at=at, **fields)
    db.session.add(event)
    need.last_activity_at = at
    need.updated_at = at
    flag_modified(need, "updated_at")  # every event bumps the version, so ETags see it
    return event


def enterprise_side(enterprise_id: int) -> list[int]:
    """The enterprise's users and liaisons: who hears of its needs."""
    return notifications.enterprise_users(enterprise_id) + notifications.enterprise_liaisons(enterprise_id)


def institution_users(institution_id: int) -> list[int]:
    """The active users of an institution."""
    return list(db.session.scalars(select(User.id).where(
        User.role == Role.INSTITUTION, User.institution_id == institution_id, User.is_active.is_(True))))


def tell(user_ids, *, kind: str, title: str, need: Need, exclude: int | None, body: str | None = None) -> None:
    """Notify users of a step of a need (never the actor)."""
    notifications.notify(user_ids, kind=kind, title=title, body=body or need.enterprise.name, object_type="need",
                         object_id=need.id, exclude=exclude)


def label(need: Need) -> str:
    """How a need is named in a notification: its kind and what it asks for."""
    details = need.details or {}
    if need.kind == "financing":
        return f"融资需求 {details.get('amount_10k', 0):g} 万元"
    if need.kind == "labor":
        return "用工需求 " + "、".join(p["title"] for p in details.get("posts", []))
    return f"{kinds.KINDS[need.kind].label}需求 {details.get('product', '')}"


# --- what a caller is shown -------------------------------------------------------------------


def _contact(enterprise: Enterprise, full: bool) -> dict:
    phone = enterprise.contact_phone if full else mask_phone(enterprise.contact_phone)
    return {"name": enterprise.contact_name, "phone": phone}


def contact_for(actor: Actor, need: Need, accepted_institutions: set[int] = frozenset()) -> dict | None:
    """The enterprise contact this actor is shown (None for an institution whose offer is not accepted)."""
    if actor.role == Role.INSTITUTION:
        return _contact(need.enterprise, True) if actor.institution_id in accepted_institutions else None
    if actor.role in (Role.ADMIN, Role.COORDINATOR, Role.LIAISON, Role.ENTERPRISE):
        return _contact(need.enterprise, True)
    return _contact(need.enterprise, False)


def shown_details(actor: Actor, need: Need) -> dict:
    """The details this actor is shown: amounts of money hidden from viewers and auditors."""
    details = dict(need.details or {})
    if actor.role in MONEY_HIDDEN_ROLES and "amount_10k" in details:
        details["amount_10k"] = None
    return details


def need_actions(actor: Actor, need: Need) -> list[str]:
    """The steps this actor may take on the need now (update, withdraw, offer, placement)."""
    actions = []
    open_ = need.status in NEED_OPEN_STATUSES
    if open_ and may_manage(actor, need):
        if need.status == "open":
            actions.append("update")
        actions.append("withdraw")
    if need.kind == "financing" and need.status == "open" and actor.role == Role.INSTITUTION:
        if not any(o.institution_id == actor.institution_id and o.status in ("open", "accepted") for o in need.offers):
            actions.append("offer")
    if need.kind == "labor" and open_ and may_place(actor, need):
        actions.append("placement")
    return actions


def may_place(actor: Actor, need: Need) -> bool:
    """Whether the actor records placements on this labor need."""
    from services.needs import labor

    return labor.may_place(actor, need)


def present(actor: Actor, needs: list[Need], *, full: bool = False) -> list[Need]:
    """Attach what this caller is shown of each need (details, contact, actions; with `full`, offers, matches,
    placements and the timeline) as `view_*` attributes the schemas read."""
    if not needs:
        return needs
    ids = [n.id for n in needs]
    accepted = {}
    if actor.role == Role.INSTITUTION:
        for need_id, institution_id in db.session.execute(select(Offer.need_id, Offer.institution_id).where(
                Offer.need_id.in_(ids), Offer.accepted_at.is_not(None))):
            accepted.setdefault(need_id, set()).add(institution_id)
    for need in needs:
        need.view_details = shown_details(actor, need)
        need.view_contact = contact_for(actor, need, accepted.get(need.id, set()))
        need.view_actions = need_actions(actor, need) if full else []
        if full:
            from services.needs import financing, trade

            need.view_offers = financing.present_offers(actor, need)
            need.view_matches = trade.present_matches(actor, trade.matches_of(need))
            need.view_placements = list(db.session.scalars(select(Placement).where(Placement.need_id == need.id)
                                                           .order_by(Placement.id)))
            need.view_events = [e for e in db.session.scalars(select(NeedEvent).where(NeedEvent.need_id == need.id)
                                                               .order_by(NeedEvent.id))
                                if actor.role != Role.INSTITUTION or e.institution_id in (None, actor.institution_id)]
    return needs


def present_one(actor: Actor, need: Need) -> Need:
    """One need with everything this actor is shown."""
    return present(actor, [need], full=True)[0]


# --- use cases --------------------------------------------------------------------------------


def list_needs(*, actor: Actor, kind=None, status=None, region: int | None = None, enterprise: int | None = None,
               q: str | None = None) -> Select:
    """The needs the actor may see, filtered; Forbidden for auditors."""
    from services.filters import where_one_of

    if actor.role == Role.AUDITOR:
        raise Forbidden("审计员不查看对接需求")
    stmt = select(Need).where(visible_clause(actor))
    stmt = where_one_of(stmt, Need.kind, kind)
    stmt = where_one_of(stmt, Need.status, status)
    if region is not None:
        root = db.session.get(Region, region)
        stmt = stmt.where(Need.region_id.in_(subtree_region_ids(root.path)) if root else false())
    if enterprise is not None:
        stmt = stmt.where(Need.enterprise_id == enterprise)
    if q:
        stmt = stmt.where(Need.enterprise_id.in_(select(Enterprise.id).where(Enterprise.name.contains(q, autoescape=True)))
                          | Need.product.contains(q, autoescape=True))
    return stmt


def get_need_or_raise(*, actor: Actor, need_id: int) -> Need:
    """One need as this actor is shown it; NotFound out of sight."""
    return present_one(actor, get_need(actor, need_id))


def _enterprise_for_filing(actor: Actor, enterprise_id: int | None) -> Enterprise:
    if actor.role not in FILER_ROLES:
        raise Forbidden("只有企业、其联络员或专班可以发布需求")
    if enterprise_id is None:
        enterprise_id = actor.enterprise_id
    if enterprise_id is None:
        raise ValidationFailed("请指定企业", field="enterprise_id")
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.id == enterprise_id, enterprise_clause(actor)))
    if enterprise is None:
        raise NotFound("企业不存在", errors={"enterprise_id": ["企业不存在"]})
    if actor.role == Role.VIEWER:
        raise Forbidden("领导/督查账号只能查看")
    return enterprise


def _keywords(kind: str, details: dict) -> list[str]:
    if kind not in ("supply", "sales"):
        return []
    words = list(details.get("keywords") or [])
    words += [w for w in tokens(details.get("product", "")) if len(w) > 1 or not words]
    return list(dict.fromkeys(w.lower() for w in words))[:20]


def file_need(*, actor: Actor, kind: str, details, enterprise_id: int | None = None, problem_id: int | None = None,
              now: datetime | None = None) -> Need:
    """Add a need in the caller's transaction (no commit)."""
    enterprise = _enterprise_for_filing(actor, enterprise_id)
    cleaned = kinds.validate(kind, details)
    if kind == "labor":
        for post in cleaned["posts"]:
            post["placed"] = 0
    now = now or utcnow()
    need = Need(enterprise_id=enterprise.id, kind=kind, details=cleaned, keywords=_keywords(kind, cleaned),
                product=cleaned.get("product"),
                status="open", problem_id=problem_id, region_id=enterprise.region_id, filer_id=actor.user_id,
                due_on=kinds.due_on(kind, cleaned), last_activity_at=now, created_at=now, updated_at=now)
    need.enterprise = enterprise
    db.session.add(need)
    db.session.flush()
    record(need, actor, "create", before=None, at=now, amount_10k=kinds.amount(kind, cleaned),
           count=kinds.posts_asked(kind, cleaned))
    audit.record(actor, "need.created", "need", need.id, {"kind": kind, "enterprise_id": enterprise.id,
                                                         "problem_id": problem_id})
    return need


@unit_of_work()
def create_need(*, actor: Actor, **fields) -> Need:
    """File a need as its own transaction; raises as file_need (Forbidden, NotFound, ValidationFailed)."""
    need = file_need(actor=actor, **fields)
    return present_one(actor, need)


def create_problem(*, actor: Actor, need: dict | None = None, **fields):
    """POST /problems: the problem and, when given, the need it details, in one transaction. ValidationFailed when the
    need's kind does not fit the category or its details are invalid; otherwise as file_problem (Forbidden,
    NotFound)."""
    from services.problems.commands import file_problem
    from services.problems.queries import as_seen_by

    with unit_of_work(keep_loaded=True):
        problem = file_problem(actor=actor, **fields)
        if need is not None:
            category = kinds.KINDS[need["kind"]].category if need.get("kind") in kinds.KINDS else None
            if category != problem.category:
                raise ValidationFailed("需求类型须与问题类别一致（融资、用工、供应、销售）", field="need.kind")
            file_need(actor=actor, kind=need["kind"], details=need.get("details"),
                      enterprise_id=problem.enterprise_id, problem_id=problem.id, now=problem.created_at)
        db.session.flush()
        as_seen_by(actor, problem)
    return problem


@unit_of_work()
def update_need(*, actor: Actor, need_id: int, details, expected_version: int, now: datetime | None = None) -> Need:
    """Replace the details of an open need: NotFound, Forbidden (not its side), VersionMismatch, InvalidTransition (not
    open), ValidationFailed."""
    need = get_need(actor, need_id, lock=True)
    if not may_manage(actor, need):
        raise Forbidden("只有需求企业、其联络员或专班可以修改需求")
    check_version(expected_version, need.version)
    if need.status != "open":
        raise InvalidTransition("只有对接中的需求可以修改", extra={"current_status": need.status,
                                                                 "allowed_actions": need_actions(actor, need)})
    cleaned = kinds.validate(need.kind, details)
    if need.kind == "labor":
        old = need.details.get("posts", [])
        for i, post in enumerate(cleaned["posts"]):
            post["placed"] = old[i]["placed"] if i < len(old) else 0
            if post["placed"] > post["count"]:
                raise ValidationFailed("招聘人数不能少于已招聘人数", field=f"details.posts.{i}.count")
        if len(cleaned["posts"]) < sum(1 for p in old if p.get("placed")):
            raise ValidationFailed("已有招聘登记的岗位不能删除", field="details.posts")
    now = now or utcnow()
    need.details = cleaned
    need.keywords = _keywords(need.kind, cleaned)
    need.product = cleaned.get("product")
    need.due_on = kinds.due_on(need.kind, cleaned)
    record(need, actor, "update", before=need.status, at=now)
    audit.record(actor, "need.updated", "need", need.id, {})
    return present_one(actor, need)


def close_open_sides(need: Need, actor: Actor, reason: str, now: datetime) -> None:
    """Withdrawn or expired: open offers close and pending interest is declined, each with a notice."""
    for offer in need.offers:
        if offer.status == "open":
            offer.status, offer.closed_reason, offer.decided_at = "closed", reason, now
            record(need, actor, "offer_closed", before=need.status, at=now, offer_id=offer.id,
                   institution_id=offer.institution_id, comment=reason)
            tell(institution_users(offer.institution_id), kind="offer.closed", title=f"授信意向已关闭：{reason}",
                 need=need, exclude=actor.user_id)
    for match in db.session.scalars(select(Match).where(or_(Match.need_id == need.id, Match.own_need_id == need.id),
                                                        Match.status == "requested")):
        match.status = "declined"
        other = match.enterprise_id if match.need_id == need.id else match.need.enterprise_id
        tell(enterprise_side(other), kind="match.declined", title=f"对接意向已结束：{reason}", need=need,
             exclude=actor.user_id)


@unit_of_work()
def withdraw_need(*, actor: Actor, need_id: int, reason: str = "", expected_version: int | None = None,
                  now: datetime | None = None) -> Need:
    """Withdraw an open or matched need; open offers close and pending interest ends, each with a notice. NotFound,
    Forbidden, VersionMismatch, InvalidTransition."""
    need = get_need(actor, need_id, lock=True)
    if not may_manage(actor, need):
        raise Forbidden("只有需求企业、其联络员或专班可以撤回需求")
    check_version(expected_version, need.version)
    if need.status not in NEED_OPEN_STATUSES:
        raise InvalidTransition("该需求已结束，不能撤回", extra={"current_status": need.status,
                                                              "allowed_actions": need_actions(actor, need)})
    now = now or utcnow()
    before = need.status
    need.status, need.closed_at = "withdrawn", now
    close_open_sides(need, actor, "需求已撤回", now)
    record(need, actor, "withdraw", before=before, at=now, comment=reason or None)
    audit.record(actor, "need.withdrawn", "need", need.id, {"from": before})
    return present_one(actor, need)


@unit_of_work()
def expire_stale(*, now: datetime | None = None) -> int:
    """The scan: open needs whose date has passed, or with no activity for `expiry_days`, expire (idempotent)."""
    now = now or utcnow()
    system = Actor.system("scan")
    cutoff = now - timedelta(days=settings.expiry_days)
    today = to_local(now).date()
    stale = list(db.session.scalars(select(Need).where(Need.status == "open", or_(
        and_(Need.due_on.is_not(None), Need.due_on < today), Need.last_activity_at < cutoff)).order_by(Need.id)
        .with_for_update()))
    for need in stale:
        need.status, need.closed_at = "expired", now
        close_open_sides(need, system, "需求已过期", now)
        record(need, system, "expire", before="open", at=now)
        tell(enterprise_side(need.enterprise_id), kind="need.expired", title=f"需求已过期：{label(need)}", need=need,
             exclude=None)
    if stale:
        audit.record(system, "need.expired", "need", None, {"ids": [n.id for n in stale]})
    return len(stale)


def reopen_if_unmatched(need: Need, actor: Actor, now: datetime, action: str, **fields) -> None:
    """After a declined credit or a no_deal: back to open when nothing else holds it matched."""
    before = need.status
    held = db.session.scalar(select(Match.id).where(or_(Match.need_id == need.id, Match.own_need_id == need.id),
                                                    Match.status == "accepted").limit(1))
    held = held or any(o.status == "accepted" for o in need.offers)
    if need.status == "matched" and not held:
        need.status = "open"
    record(need, actor, action, before=before, at=now, **fields)


def need_page(*, actor: Actor, **args) -> dict:
    """One page of needs in scope, shown as the caller may see them. Raises Forbidden, ValidationFailed."""
    page = paged(list_needs, sorts.NEEDS, actor=actor, **args)
    present(actor, page["items"])
    return page
