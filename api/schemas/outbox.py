"""The outbox of messages to deliver."""

import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas.base import BaseSchema, LocalDateTime, MultiEnum, NameOf
from api.schemas.base import text as text_field
from services import sorts
from services.models.delivery import CHANNELS, OUTBOX_STATES


class OutboxMessageSchema(BaseSchema):
    id = ma.fields.Integer()
    message_id = ma.fields.String(metadata={"description": "稳定的消息 id（X-LQT-Message-Id），重试不变"})
    kind = ma.fields.String()
    channel = ma.fields.String()
    user_id = ma.fields.Integer(allow_none=True)
    user_name = NameOf("user.name")
    recipient = ma.fields.String()
    text = ma.fields.String()
    link = ma.fields.String(allow_none=True)
    template_id = ma.fields.String(allow_none=True)
    object_type = ma.fields.String(allow_none=True)
    object_id = ma.fields.Integer(allow_none=True)
    urgent = ma.fields.Boolean()
    state = ma.fields.String()
    attempts = ma.fields.Integer()
    next_attempt_at = LocalDateTime()
    last_error = ma.fields.String(allow_none=True)
    created_at = LocalDateTime()
    sent_at = LocalDateTime(allow_none=True)
    dead_at = LocalDateTime(allow_none=True)


class OutboxQuerySchema(ListArgsSchema):
    state = MultiEnum(OUTBOX_STATES)
    channel = MultiEnum(CHANNELS)
    kind = text_field(48)
    sort = sort_field(sorts.OUTBOX)


class OutboxCountsSchema(BaseSchema):
    pending = ma.fields.Integer()
    sending = ma.fields.Integer()
    sent = ma.fields.Integer()
    dead = ma.fields.Integer()
