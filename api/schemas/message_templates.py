"""Message templates per event type."""

import marshmallow as ma

from api.schemas.base import BaseSchema
from api.schemas.base import text as text_field


class TemplateSchema(BaseSchema):
    kind = ma.fields.String(dump_only=True)
    name = ma.fields.String(dump_only=True)
    text = text_field(2000, required=True, metadata={"description": "企业微信、钉钉、对接系统的正文；占位符见 placeholders"})
    sms = text_field(200, required=True, metadata={"description": "短信正文（不含签名），占位符取最长值时不超过一条短信 70 字"})
    sms_template_id = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=64),
                                       metadata={"description": "短信网关的模板编号"})
    customized = ma.fields.Boolean(dump_only=True)


class TemplateListSchema(BaseSchema):
    items = ma.fields.List(ma.fields.Nested(TemplateSchema))
    placeholders = ma.fields.List(ma.fields.String())
