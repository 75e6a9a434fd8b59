"""Liveness and readiness."""

import marshmallow as ma

from api.schemas.base import BaseSchema


class StatusSchema(BaseSchema):
    status = ma.fields.String(required=True)


class OutboxHealthSchema(BaseSchema):
    pending = ma.fields.Integer()
    sending = ma.fields.Integer()
    sent = ma.fields.Integer()
    dead = ma.fields.Integer()
    oldest_due_seconds = ma.fields.Integer(allow_none=True,
                                           metadata={"description": "最早一条到期未发消息已等待的秒数"})


class ReadySchema(StatusSchema):
    outbox = ma.fields.Nested(OutboxHealthSchema, metadata={"description": "发送队列各状态的消息数"})
