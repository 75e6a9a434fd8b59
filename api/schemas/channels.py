"""The caller's delivery channels and quiet hours."""

import marshmallow as ma

from api.schemas.base import BaseSchema, enum
from services.models.delivery import CHANNELS

PHONE = ma.validate.Regexp(r"^1[3-9]\d{9}$", error="手机号格式无效，应为 11 位大陆手机号")


ADDRESS = ma.validate.Regexp(r"^[A-Za-z0-9_.@-]{1,64}$", error="账号只能包含字母、数字和 _ . @ -")


class ChannelsSchema(BaseSchema):
    sms = ma.fields.String(allow_none=True, validate=PHONE, metadata={"description": "接收短信的手机号"})
    wecom = ma.fields.String(allow_none=True, validate=ADDRESS, metadata={"description": "企业微信 userid"})
    dingtalk = ma.fields.String(allow_none=True, validate=ADDRESS, metadata={"description": "钉钉 userid"})
    quiet_hours = ma.fields.Boolean(metadata={"description": "免打扰：22:00–07:00 的非紧急短信推迟到 07:00"})
    enabled = ma.fields.List(enum(CHANNELS), dump_only=True,
                             metadata={"description": "本系统已开通的渠道"})
    version = ma.fields.Integer(dump_only=True)
