"""One-time feedback links."""

import marshmallow as ma

from api.schemas.base import BaseSchema, LocalDateTime, enum
from api.schemas.base import text as text_field
from services.labels import ENUM_LABELS


class FeedbackLinkViewSchema(BaseSchema):
    number = ma.fields.String()
    enterprise_name = ma.fields.String()
    title = ma.fields.String()
    resolution = ma.fields.String(allow_none=True)
    resolved_at = LocalDateTime(allow_none=True)
    expires_at = LocalDateTime()


class FeedbackLinkAnswerSchema(BaseSchema):
    rating = enum(tuple(ENUM_LABELS["satisfaction"]), required=True)
    comment = text_field(1000)


class FeedbackLinkResultSchema(BaseSchema):
    number = ma.fields.String()
    status = ma.fields.String()
    rating = ma.fields.String()
