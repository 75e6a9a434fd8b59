"""Writing deliveries into the outbox (in the caller's transaction), and the admin's view of it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select, update

from services import audit
from services.actors import Actor
from services import sorts
from services.paging import paged
from services.db import db, unit_of_work, utcnow
from services.delivery import templates
from services.delivery.settings import settings
from services.errors import Forbidden, InvalidTransition, NotFound
from services.filters import where_one_of
from services.models import Enterprise, OutboxMessage, Problem, User, UserChannels
from services.models.delivery import OUTBOX_STATES
from services.timeutil import as_utc, to_local, zone

USER_CHANNELS = ("sms", "wecom", "dingtalk")


def quiet_until(now: datetime) -> datetime | None:
    """The end of the quiet hours (default 22:00–07:00 local) when `now` falls inside them, else None."""
    local = to_local(now)
    start, end = settings.quiet_start, settings.quiet_end
    inside = (local.hour >= start or local.hour < end) if start > end else (start <= local.hour < end)
    if not inside:
        return None
    day = local.date() if local.hour < end else local.date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, end, tzinfo=zone())


def context_for(object_type: str | None, object_id: int | None, *, title: str = "", body: str = "") -> dict:
    """What a template may name: the ledger number, the enterprise, the problem's title and a link."""
    context = {"title": title, "body": body, "link": settings.link("/app/")}
    if object_type == "problem" and object_id:
        problem = db.session.get(Problem, object_id)
        if problem is not None:
            enterprise = db.session.get(Enterprise, problem.enterprise_id)
            context.update(number=problem.number, problem_title=problem.title,
                           enterprise=enterprise.name if enterprise else "", urgent=problem.urgency == "urgent",
                           link=settings.link(f"/app/problems/{problem.id}"))
    elif object_type == "warning" and object_id:
        context["link"] = settings.link("/app/warnings")
    elif object_type == "policy":
        context["link"] = settings.link("/app/policies")
    return context


def _message(*, kind: str, channel: str, recipient: str, text: str, user_id: int | None, context: dict,
             object_type: str | None, object_id: int | None, now: datetime, sms_template_id: str | None = None,
             quiet: bool = False) -> OutboxMessage:
    urgent = bool(context.get("urgent"))
    due = now
    if channel == "sms" and quiet and not urgent:
        due = quiet_until(now) or now  # non-urgent SMS wait for the morning
    params = {k: str(context[k]) for k in templates.PLACEHOLDERS if context.get(k) not in (None, "")}
    return OutboxMessage(message_id=uuid.uuid4().hex, kind=kind, channel=channel, recipient=recipient, text=text,
                         link=context.get("link"), user_id=user_id, template_id=sms_template_id, params=params,
                         object_type=object_type, object_id=object_id, urgent=urgent, state="pending",
                         attempts=0, next_attempt_at=due, created_at=now)


def enqueue_for_users(user_ids: Iterable[int], *, kind: str, title: str, body: str = "",
                      object_type: str | None = None, object_id: int | None = None,
                      now: datetime | None = None, extra: dict | None = None) -> int:
    """One delivery per user and channel that user set up (and the deployment has), plus one to the
    deployment's webhook per user. No commit: the caller's transaction carries them, or nothing."""
    ids = sorted(set(user_ids))
    channels = [c for c in (*USER_CHANNELS, "webhook") if settings.enabled(c)]
    if not ids or not channels:
        return 0
    now = now or utcnow()
    context = {**context_for(object_type, object_id, title=title, body=body), **(extra or {})}
    template = templates.get_template(kind)
    text = templates.render(template.text, context)
    short = templates.sms_text(template.sms, context)
    addresses = {row.user_id: row for row in db.session.scalars(
        select(UserChannels).where(UserChannels.user_id.in_(ids)))}
    usernames = dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all()) \
        if "webhook" in channels else {}
    count = 0
    for user_id in ids:
        row = addresses.get(user_id)
        for channel in channels:
            if channel == "webhook":
                recipient = usernames.get(user_id)
            else:
                recipient = getattr(row, channel, None) if row is not None else None
            if not recipient:
                continue
            db.session.add(_message(kind=kind, channel=channel, recipient=recipient,
                                    text=short if channel == "sms" else text, user_id=user_id, context=context,
                                    object_type=object_type, object_id=object_id, now=now,
                                    sms_template_id=template.sms_template_id,
                                    quiet=bool(row.quiet_hours) if row is not None else True))
            count += 1
    return count


def enqueue_sms(phone: str, *, kind: str, context: dict, object_type: str | None = None,
                object_id: int | None = None, now: datetime | None = None) -> OutboxMessage | None:
    """An SMS to a phone that has no account behind it (an enterprise's contact); quiet hours apply."""
    if not phone or not settings.enabled("sms"):
        return None
    now = now or utcnow()
    template = templates.get_template(kind)
    message = _message(kind=kind, channel="sms", recipient=phone, text=templates.sms_text(template.sms, context),
                       user_id=None, context=context, object_type=object_type, object_id=object_id, now=now,
                       sms_template_id=template.sms_template_id, quiet=True)
    db.session.add(message)
    return message


# --- the admin's view --------------------------------------------------------------------------------------


def require_admin(actor: Actor) -> None:
    """Only admins read the outbox. Raises Forbidden."""
    if not actor.is_admin:
        raise Forbidden("只有管理员可以查看发送队列")


def list_outbox(*, actor: Actor, state: str | list[str] | None = None, channel: str | list[str] | None = None,
                kind: str | None = None) -> Select:
    """Outbox messages by state, channel and kind (a query). Raises Forbidden (not an admin)."""
    require_admin(actor)
    stmt = select(OutboxMessage)
    stmt = where_one_of(stmt, OutboxMessage.state, state)
    stmt = where_one_of(stmt, OutboxMessage.channel, channel)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return stmt


def get_message_or_raise(*, actor: Actor, message_id: int) -> OutboxMessage:
    """One outbox message. Raises Forbidden (not an admin), NotFound."""
    require_admin(actor)
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("消息不存在")
    return message


@unit_of_work()
def retry(*, actor: Actor, message_id: int, now: datetime | None = None) -> OutboxMessage:
    """Send a dead letter again: back to pending, due now, with a fresh count of attempts. Raises Forbidden (not an admin), InvalidTransition (not a dead letter)."""
    require_admin(actor)
    now = now or utcnow()
    result = db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id,
                                                            OutboxMessage.state == "dead")
                                .values(state="pending", attempts=0, next_attempt_at=now, dead_at=None,
                                        lease_until=None, claimed_by=None))
    if not result.rowcount:
        message = get_message_or_raise(actor=actor, message_id=message_id)
        raise InvalidTransition("只有发送失败的消息可以重发",
                                extra={"current_status": message.state, "allowed_actions": []})
    audit.record(actor, "outbox.retried", "outbox", message_id)
    return db.session.get(OutboxMessage, message_id, populate_existing=True)


def counts() -> dict[str, int]:
    """Messages by state (every state present, zero included), for /readyz and the admins."""
    found = dict(db.session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())
    return {state: int(found.get(state, 0)) for state in OUTBOX_STATES}


def counts_for(*, actor: Actor) -> dict[str, int]:
    """Outbox messages by state, for an admin. Raises Forbidden."""
    require_admin(actor)
    return counts()


def oldest_pending_seconds(now: datetime | None = None) -> int | None:
    """How late the oldest message that is due is: a stuck worker shows here first."""
    now = now or utcnow()
    oldest = db.session.scalar(select(func.min(OutboxMessage.next_attempt_at)).where(
        OutboxMessage.state.in_(("pending", "sending")), OutboxMessage.next_attempt_at <= now))
    if oldest is None:
        return None
    return max(0, int((now - as_utc(oldest)).total_seconds()))


def health() -> dict:
    """/readyz detail: counts by state and how late the oldest due message is."""
    return {**counts(), "oldest_due_seconds": oldest_pending_seconds()}


def outbox_page(*, actor: Actor, **args) -> dict:
    """One page of outbox messages (list_outbox's filters plus paging). Raises Forbidden (not an admin),
    ValidationFailed (bad cursor)."""
    return paged(list_outbox, sorts.OUTBOX, actor=actor, **args)
