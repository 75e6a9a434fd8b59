"""对接会: matching sessions organised by a coordinator (or department) with the needs and participants
invited; invitations are notifications; afterwards the outcomes are recorded against the needs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Select, or_, select

from services import audit, notifications
from services.actors import Actor, enterprise_clause, subtree_region_ids
from services import sorts
from services.paging import paged
from services.db import db, unit_of_work, utcnow
from services.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from services.labels import ENUM_LABELS
from services.models import Enterprise, Institution, MatchingSession, Need, Region, SessionNeed
from services.needs import core, labor
from services.roles import Role
from services.timeutil import to_local

SESSION_NEED_KINDS = {"financing": ("financing",), "labor": ("labor",), "supply_sales": ("supply", "sales")}


def organiser_roles() -> tuple[str, ...]:
    """The roles that organise 对接会."""
    return (Role.COORDINATOR, *labor.DEPARTMENT_ROLES)


def reader_roles() -> tuple[str, ...]:
    """The roles that read 对接会."""
    return (Role.ADMIN, Role.COORDINATOR, Role.VIEWER, *labor.DEPARTMENT_ROLES)


def _visible(actor: Actor):
    """Sessions of the caller's subtree and of the regions above it (a prefecture's session reaches its counties)."""
    if actor.is_admin:
        return MatchingSession.id.is_not(None)
    region = db.session.get(Region, actor.region_id) if actor.region_id else None
    if region is None:
        return MatchingSession.id.is_(None)
    ancestors = [int(part) for part in region.path.strip("/").split("/") if part]
    return or_(MatchingSession.region_id.in_(subtree_region_ids(region.path)), MatchingSession.region_id.in_(ancestors))


def list_sessions(*, actor: Actor, kind=None) -> Select:
    """对接会 of the caller's subtree and of the regions above it; Forbidden for other roles."""
    from services.filters import where_one_of

    if actor.role not in reader_roles():
        raise Forbidden("对接会面向专班、部门和领导")
    return where_one_of(select(MatchingSession).where(_visible(actor)), MatchingSession.kind, kind)


def get_session_or_raise(*, actor: Actor, session_id: int, lock: bool = False) -> MatchingSession:
    """One 对接会 the caller may read; Forbidden (role) or NotFound."""
    stmt = list_sessions(actor=actor).where(MatchingSession.id == session_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    session = db.session.scalar(stmt)
    if session is None:
        raise NotFound("对接会不存在")
    return session


@unit_of_work()
def create_session(*, actor: Actor, kind: str, title: str, held_on: date, place: str, need_ids: list[int],
                   institution_ids: list[int] | None = None, enterprise_ids: list[int] | None = None,
                   now: datetime | None = None) -> MatchingSession:
    """Organise a 对接会 and notify the invited: Forbidden, NotFound (needs, institutions or enterprises out of scope),
    ValidationFailed (needs of another kind)."""
    if actor.role not in organiser_roles():
        raise Forbidden("对接会由专班或部门组织")
    wanted = sorted(set(need_ids))
    needs = list(db.session.scalars(select(Need).where(Need.id.in_(wanted), core.visible_clause(actor))))
    if len(needs) != len(wanted):
        raise NotFound("需求不存在", errors={"need_ids": ["需求不存在或不在本人辖区内"]})
    wrong = [n.id for n in needs if n.kind not in SESSION_NEED_KINDS[kind]]
    if wrong:
        raise ValidationFailed("需求类型与对接会类型不符", errors={"need_ids": [f"需求 {i} 类型不符" for i in wrong]})
    institution_ids = sorted(set(institution_ids or []))
    if len(db.session.scalars(select(Institution.id).where(Institution.id.in_(institution_ids))).all()) \
            != len(institution_ids):
        raise NotFound("金融机构不存在", errors={"institution_ids": ["金融机构不存在"]})
    enterprise_ids = sorted(set(enterprise_ids or []))
    if len(db.session.scalars(select(Enterprise.id).where(Enterprise.id.in_(enterprise_ids),
                                                          enterprise_clause(actor))).all()) != len(enterprise_ids):
        raise NotFound("企业不存在", errors={"enterprise_ids": ["企业不存在或不在本人辖区内"]})
    now = now or utcnow()
    session = MatchingSession(kind=kind, title=title, held_on=held_on, place=place, region_id=actor.region_id,
                              organiser_id=actor.user_id, institution_ids=institution_ids,
                              enterprise_ids=enterprise_ids, created_at=now, updated_at=now)
    db.session.add(session)
    db.session.flush()
    for need in needs:
        db.session.add(SessionNeed(session_id=session.id, need_id=need.id))
    invited = [u for i in institution_ids for u in core.institution_users(i)]
    invited += [u for e in sorted(set(enterprise_ids) | {n.enterprise_id for n in needs}) for u in core.enterprise_side(e)]
    when = f"{held_on.month}月{held_on.day}日"
    notifications.notify(invited, kind="session.invited",
                         title=f"邀请参加{ENUM_LABELS['session_kind'][kind]}：{title}（{when}，{place}）",
                         body=title, object_type="matching_session", object_id=session.id, exclude=actor.user_id)
    audit.record(actor, "matching_session.created", "matching_session", session.id,
                 {"need_ids": wanted, "institution_ids": institution_ids, "enterprise_ids": enterprise_ids})
    db.session.flush()
    db.session.refresh(session)
    return session


@unit_of_work()
def record_outcome(*, actor: Actor, session_id: int, need_id: int, result: str, amount_10k: float | None = None,
                   placed: int | None = None, note: str | None = None, now: datetime | None = None) -> MatchingSession:
    """Record the outcome of an invited need after the session: Forbidden (not the organising task force), NotFound,
    InvalidTransition (not held yet), Conflict (recorded already), ValidationFailed."""
    session = get_session_or_raise(actor=actor, session_id=session_id, lock=True)
    if actor.role not in organiser_roles() or actor.region_id != session.region_id:
        raise Forbidden("只有组织对接会的专班或部门可以登记成果")
    now = now or utcnow()
    if session.held_on > to_local(now).date():
        raise InvalidTransition("对接会尚未举行，会后再登记成果", extra={"current_status": "scheduled",
                                                                    "allowed_actions": []})
    entry = next((e for e in session.entries if e.need_id == need_id), None)
    if entry is None:
        raise NotFound("该需求未受邀参加本次对接会", errors={"need_id": ["需求未受邀"]})
    if entry.recorded_at is not None:
        raise Conflict("该需求的对接成果已登记")
    need = entry.need
    if placed is not None and need.kind != "labor":
        raise ValidationFailed("只有用工需求可以登记到岗人数", field="placed")
    entry.result, entry.amount_10k, entry.placed, entry.note, entry.recorded_at = result, amount_10k, placed, note, now
    core.record(need, actor, "session_outcome", before=need.status, at=now, amount_10k=amount_10k, count=placed,
                comment=note, data={"session_id": session.id, "result": result})
    core.tell(core.enterprise_side(need.enterprise_id), kind="session.outcome",
              title=f"{session.title}：{ENUM_LABELS['outcome_result'][result]}", need=need, exclude=actor.user_id)
    audit.record(actor, "matching_session.outcome", "matching_session", session.id,
                 {"need_id": need_id, "result": result})
    db.session.flush()
    db.session.refresh(session)
    return session


def session_page(*, actor: Actor, **args) -> dict:
    """One page of 对接会 in the caller's region and above and below it. Raises Forbidden, ValidationFailed."""
    return paged(list_sessions, sorts.MATCHING_SESSIONS, actor=actor, **args)
