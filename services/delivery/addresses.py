"""A user's own channels and addresses (/me/channels)."""

from __future__ import annotations

from dataclasses import dataclass

from services import audit
from services.actors import Actor
from services.db import db, unit_of_work
from services.delivery.settings import settings
from services.errors import Forbidden, VersionMismatch
from services.models import UserChannels
from services.models.delivery import CHANNELS

FIELDS = ("sms", "wecom", "dingtalk", "quiet_hours")


@dataclass
class ChannelsView:
    sms: str | None
    wecom: str | None
    dingtalk: str | None
    quiet_hours: bool
    version: int
    enabled: list[str]


def _view(row: UserChannels | None) -> ChannelsView:
    enabled = [c for c in CHANNELS if c != "webhook" and settings.enabled(c)]
    if row is None:
        return ChannelsView(None, None, None, True, 0, enabled)
    return ChannelsView(row.sms, row.wecom, row.dingtalk, bool(row.quiet_hours), row.version, enabled)


def _require_user(actor: Actor) -> int:
    if actor.user_id is None:
        raise Forbidden("只有登录用户可以设置接收渠道")
    return actor.user_id


def get_channels(*, actor: Actor) -> ChannelsView:
    """Version 0 until the user first saves: an If-Match of "0" then creates the row."""
    return _view(db.session.get(UserChannels, _require_user(actor)))


@unit_of_work()
def set_channels(*, actor: Actor, changes: dict, expected_version: int | None = None) -> ChannelsView:
    """Replace the addresses given (null clears one); quiet hours default to on. Raises VersionMismatch (stale If-Match)."""
    user_id = _require_user(actor)
    row = db.session.get(UserChannels, user_id, with_for_update=True)
    current = row.version if row is not None else 0
    if expected_version is not None and expected_version != current:
        raise VersionMismatch()
    if row is None:
        row = UserChannels(user_id=user_id, quiet_hours=True)
        db.session.add(row)
    for name in FIELDS:
        if name in changes:
            value = changes[name]
            setattr(row, name, (value.strip() or None) if isinstance(value, str) else value)
    if row.quiet_hours is None:
        row.quiet_hours = True
    audit.record(actor, "channels.updated", "user", user_id,
                 {name: bool(getattr(row, name)) for name in ("sms", "wecom", "dingtalk")} |
                 {"quiet_hours": bool(row.quiet_hours)})
    db.session.flush()  # the version the answer carries is the one written
    return _view(row)
