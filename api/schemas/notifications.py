"""The caller's inbox."""

import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas import tasks as _tasks  # noqa: F401 - TaskBriefSchema, nested by name below
from api.schemas.base import (
    BaseSchema,
    LocalDateTime,
    id_field,
)
from services import sorts


class NotificationSchema(BaseSchema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    object_type = ma.fields.String(allow_none=True)
    object_id = ma.fields.Integer(allow_none=True)
    read_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime()


class NotificationPageSchema(BaseSchema):
    items = ma.fields.List(ma.fields.Nested(NotificationSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)
    total = ma.fields.Integer()
    unread_count = ma.fields.Integer(required=True)


class NotificationQuerySchema(ListArgsSchema):
    unread = ma.fields.Boolean()
    sort = sort_field(sorts.NOTIFICATIONS)


class MarkReadSchema(BaseSchema):
    ids = ma.fields.List(id_field(), validate=ma.validate.Length(max=500))
    all = ma.fields.Boolean()

    @ma.validates_schema
    def _one_of(self, data, **kwargs):
        if not data.get("ids") and not data.get("all"):
            raise ma.ValidationError("请提供 ids 或 all: true", field_name="ids")
