"""Login, tokens, the current user and account administration."""

import marshmallow as ma

from api.schemas.base import BaseSchema, text


class LoginSchema(BaseSchema):
    username = text(64, required=True)
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=256))
    otp = ma.fields.String(validate=ma.validate.Regexp(r"^\d{6}$"), metadata={"description": "TOTP 动态码"})


class RefreshSchema(BaseSchema):
    refresh_token = ma.fields.String(validate=ma.validate.Length(max=4096))


class RefName(BaseSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class RegionRefSchema(RefName):
    code = ma.fields.String()
    level = ma.fields.String()


class MeSchema(BaseSchema):
    id = ma.fields.Integer()
    username = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String()
    region = ma.fields.Nested(RegionRefSchema, allow_none=True)
    department = ma.fields.Nested(RefName, allow_none=True)
    enterprise = ma.fields.Nested(RefName, allow_none=True)
    institution = ma.fields.Nested(RefName, allow_none=True)
    mfa_enabled = ma.fields.Boolean()


class TokenSchema(BaseSchema):
    access_token = ma.fields.String(required=True)
    refresh_token = ma.fields.String(required=True)
    token_type = ma.fields.String()
    expires_in = ma.fields.Integer()
    user = ma.fields.Nested(MeSchema)


class PasswordChangeSchema(BaseSchema):
    old_password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=256))
    new_password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=256))


class MfaSchema(BaseSchema):
    secret = ma.fields.String()
    otpauth_uri = ma.fields.String()


class MfaCodeSchema(BaseSchema):
    otp = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^\d{6}$", error="须为 6 位数字"))


class MfaEnrolSchema(BaseSchema):
    username = text(64, required=True)
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=256))
    enrolment_code = ma.fields.String(required=True, validate=ma.validate.Length(min=4, max=32),
                                      metadata={"description": "管理员签发的一次性绑定码，如 1A2B-3C4D-5E6F-7A8B"})
