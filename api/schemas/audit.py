"""The audit log."""

import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas.base import BaseSchema, LocalDateTime
from services import sorts


class AuditQuerySchema(ListArgsSchema):
    actor_id = ma.fields.Integer(data_key="actor", validate=ma.validate.Range(min=1, max=2_147_483_647))
    object_type = ma.fields.String(validate=ma.validate.Length(max=32))
    object_id = ma.fields.String(validate=ma.validate.Length(max=64))
    action = ma.fields.String(validate=ma.validate.Length(max=64))
    from_ = LocalDateTime(data_key="from")
    to = LocalDateTime()
    sort = sort_field(sorts.AUDIT)


class AuditEntrySchema(BaseSchema):
    id = ma.fields.Integer()
    seq = ma.fields.Integer(allow_none=True, metadata={"description": "链上序号；尚未封存（通常不超过 1 秒）时为 null"})
    at = LocalDateTime()
    actor_id = ma.fields.Integer(allow_none=True)
    actor_username = ma.fields.String(allow_none=True)
    action = ma.fields.String()
    object_type = ma.fields.String(allow_none=True)
    object_id = ma.fields.String(allow_none=True)
    ip = ma.fields.String(allow_none=True)
    request_id = ma.fields.String(allow_none=True)
    data = ma.fields.Dict()
    prev_hash = ma.fields.String(allow_none=True, metadata={"description": "前一条的哈希；尚未封存时为 null"})
    hash = ma.fields.String(metadata={"description": "封存后为链式哈希；封存前为本条内容的哈希"})
