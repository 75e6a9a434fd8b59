"""The outbox, users' channels, message templates and the one-time feedback link."""

import marshmallow as ma

from services import sorts
from api.pagination import sort_field, ListArgsSchema
from api.schemas.base import BaseSchema, LocalDateTime, MultiEnum, NameOf, enum
from api.schemas.base import text as text_field
from services.labels import ENUM_LABELS
from services.models.delivery import CHANNELS, OUTBOX_STATES

PHONE = ma.validate.Regexp(r"^1[3-9]\d{9}$", error="手机号格式无效，应为 11 位大陆手机号")
ADDRESS = ma.validate.Regexp(r"^[A-Za-z0-9_.@-]{1,64}$", error="账号只能包含字母、数字和 _ . @ -")


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


class ChannelsSchema(BaseSchema):
    sms = ma.fields.String(allow_none=True, validate=PHONE, metadata={"description": "接收短信的手机号"})
    wecom = ma.fields.String(allow_none=True, validate=ADDRESS, metadata={"description": "企业微信 userid"})
    dingtalk = ma.fields.String(allow_none=True, validate=ADDRESS, metadata={"description": "钉钉 userid"})
    quiet_hours = ma.fields.Boolean(metadata={"description": "免打扰：22:00–07:00 的非紧急短信推迟到 07:00"})
    enabled = ma.fields.List(enum(CHANNELS), dump_only=True,
                             metadata={"description": "本系统已开通的渠道"})
    version = ma.fields.Integer(dump_only=True)


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
