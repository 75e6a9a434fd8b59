"""银企对接: institutions' offers on financing needs, the enterprise's choice, and the credit granted or declined."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from services import audit
from services.actors import Actor
from services.db import db, unit_of_work, utcnow
from services.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from services.models import Institution, Need, Offer
from services.needs import core
from services.roles import Role


def _offer_actions(actor: Actor, offer: Offer) -> list[str]:
    need = offer.need
    if offer.status == "open" and need.status == "open" and core.is_party(actor, need.enterprise_id):
        return ["accept"]
    if offer.status == "accepted" and actor.role == Role.INSTITUTION and actor.institution_id == offer.institution_id:
        return ["outcome"]
    return []


def present_offers(actor: Actor, need: Need) -> list[Offer]:
    """Institutions see their own offers only; viewers see no amounts."""
    offers = [o for o in need.offers
              if actor.role != Role.INSTITUTION or o.institution_id == actor.institution_id]
    for offer in offers:
        offer.view_actions = _offer_actions(actor, offer)
        offer.view_money = actor.role not in core.MONEY_HIDDEN_ROLES
    return offers


@unit_of_work()
def make_offer(*, actor: Actor, need_id: int, amount_10k: float, rate_pct: float, term_months: int,
               note: str = "", now: datetime | None = None) -> Offer:
    """An institution's offer on an open financing need: NotFound, Forbidden (not an institution), InvalidTransition
    (not open), Conflict (it already has a live offer)."""
    need = core.get_need(actor, need_id, lock=True)
    if actor.role != Role.INSTITUTION:
        raise Forbidden("只有金融机构用户可以提出授信意向")
    if need.status != "open":
        raise InvalidTransition("该融资需求已不在对接中", extra={"current_status": need.status,
                                                              "allowed_actions": core.need_actions(actor, need)})
    if any(o.institution_id == actor.institution_id and o.status in ("open", "accepted") for o in need.offers):
        raise Conflict("本机构已对该需求提出授信意向")
    now = now or utcnow()
    offer = Offer(need_id=need.id, institution_id=actor.institution_id, user_id=actor.user_id, amount_10k=amount_10k,
                  rate_pct=rate_pct, term_months=term_months, note=note, status="open", created_at=now,
                  updated_at=now)
    db.session.add(offer)
    db.session.flush()
    need.offers.append(offer)
    institution = db.session.get(Institution, actor.institution_id)
    core.record(need, actor, "offer", before=need.status, at=now, offer_id=offer.id,
                institution_id=actor.institution_id, amount_10k=amount_10k)
    core.tell(core.enterprise_side(need.enterprise_id) + [need.filer_id], kind="offer.made",
              title=f"{institution.name}提出授信意向：{amount_10k:g} 万元", need=need, exclude=actor.user_id)
    audit.record(actor, "offer.made", "offer", offer.id, {"need_id": need.id, "amount_10k": amount_10k})
    return present_offer(actor, offer)


def present_offer(actor: Actor, offer: Offer) -> Offer:
    """Attach what this actor is shown of an offer (its actions, the amounts)."""
    offer.view_actions = _offer_actions(actor, offer)
    offer.view_money = actor.role not in core.MONEY_HIDDEN_ROLES
    return offer


def _load_offer(actor: Actor, offer_id: int) -> tuple[Offer, Need]:
    offer = db.session.get(Offer, offer_id)
    if offer is None:
        raise NotFound("授信意向不存在")
    try:
        need = core.get_need(actor, offer.need_id, lock=True)
    except NotFound:
        raise NotFound("授信意向不存在") from None
    if actor.role == Role.INSTITUTION and offer.institution_id != actor.institution_id:
        raise NotFound("授信意向不存在")
    db.session.refresh(offer)
    return offer, need


@unit_of_work()
def accept_offer(*, actor: Actor, offer_id: int, expected_version: int | None = None,
                 now: datetime | None = None) -> Offer:
    """The enterprise side accepts one offer; the need's other open offers close with a notice. NotFound, Forbidden,
    VersionMismatch, InvalidTransition."""
    offer, need = _load_offer(actor, offer_id)
    if not core.is_party(actor, need.enterprise_id):
        raise Forbidden("只有需求企业或其联络员可以选择授信意向")
    core.check_version(expected_version, offer.version)
    if offer.status != "open" or need.status != "open":
        raise InvalidTransition("该授信意向当前不能接受", extra={"current_status": offer.status,
                                                              "allowed_actions": _offer_actions(actor, offer)})
    now = now or utcnow()
    offer.status, offer.accepted_at = "accepted", now
    need.status = "matched"
    core.record(need, actor, "offer_accepted", before="open", at=now, offer_id=offer.id,
                institution_id=offer.institution_id, amount_10k=offer.amount_10k)
    core.tell(core.institution_users(offer.institution_id), kind="offer.accepted",
              title="企业已接受贵机构的授信意向，可查看企业联系方式", need=need, exclude=actor.user_id)
    for other in need.offers:
        if other.id != offer.id and other.status == "open":
            other.status, other.closed_reason, other.decided_at = "closed", "企业已选择其他机构", now
            core.record(need, actor, "offer_closed", before="matched", at=now, offer_id=other.id,
                        institution_id=other.institution_id, comment=other.closed_reason)
            core.tell(core.institution_users(other.institution_id), kind="offer.closed",
                      title="授信意向已关闭：企业已选择其他机构", need=need, exclude=actor.user_id)
    audit.record(actor, "offer.accepted", "offer", offer.id, {"need_id": need.id})
    return present_offer(actor, offer)


@unit_of_work()
def record_outcome(*, actor: Actor, offer_id: int, granted: bool, amount_10k: float | None = None,
                   granted_on: date | None = None, reason: str | None = None, expected_version: int | None = None,
                   now: datetime | None = None) -> Offer:
    """The offering institution records the credit granted or declined: NotFound, Forbidden, VersionMismatch,
    InvalidTransition (not accepted), ValidationFailed (amount and date, or a reason)."""
    offer, need = _load_offer(actor, offer_id)
    if actor.role != Role.INSTITUTION:
        raise Forbidden("只有提出授信意向的机构可以登记放款结果")
    core.check_version(expected_version, offer.version)
    if offer.status != "accepted":
        raise InvalidTransition("只有企业已接受的授信意向可以登记结果",
                                extra={"current_status": offer.status, "allowed_actions": _offer_actions(actor, offer)})
    now = now or utcnow()
    if granted:
        errors = {}
        if amount_10k is None:
            errors["amount_10k"] = ["请填写放款金额"]
        if granted_on is None:
            errors["granted_on"] = ["请填写放款日期"]
        if errors:
            raise ValidationFailed("请填写放款金额和日期", errors=errors)
        offer.status, offer.granted_amount_10k, offer.granted_on, offer.decided_at = "granted", amount_10k, granted_on, now
        need.status, need.closed_at = "fulfilled", now
        core.record(need, actor, "granted", before="matched", at=now, offer_id=offer.id,
                    institution_id=offer.institution_id, amount_10k=amount_10k,
                    data={"granted_on": granted_on.isoformat()})
        title = f"已放款 {amount_10k:g} 万元"
    else:
        if not (reason or "").strip():
            raise ValidationFailed("请填写未获批的原因", field="reason")
        offer.status, offer.decline_reason, offer.decided_at = "declined", reason, now
        core.reopen_if_unmatched(need, actor, now, "declined", offer_id=offer.id,
                                 institution_id=offer.institution_id, comment=reason)
        title = f"授信未获批：{reason}"
    core.tell(core.enterprise_side(need.enterprise_id) + [need.filer_id], kind="offer.outcome", title=title, need=need,
              exclude=actor.user_id)
    audit.record(actor, "offer.outcome", "offer", offer.id, {"granted": granted, "amount_10k": amount_10k})
    return present_offer(actor, offer)


def institutions() -> list[Institution]:
    """Every institution with its service regions."""
    return list(db.session.scalars(select(Institution).order_by(Institution.id)))
