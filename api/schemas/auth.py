"""Login, tokens, the current user and account administration."""

import marshmallow as ma

from api.schemas.base import BaseSchema, LocalDateTime, NameOf, enum, id_field, text
from services.models.users import ROLES


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


class UserSchema(BaseSchema):
    id = ma.fields.Integer(dump_only=True)
    username = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String()
    region_id = ma.fields.Integer(allow_none=True)
    region_name = NameOf("region.name")
    department_id = ma.fields.Integer(allow_none=True)
    department_name = NameOf("department.name")
    enterprise_id = ma.fields.Integer(allow_none=True)
    enterprise_name = NameOf("enterprise.name")
    institution_id = ma.fields.Integer(allow_none=True)
    institution_name = NameOf("institution.name")
    phone = ma.fields.String(allow_none=True)
    is_active = ma.fields.Boolean()
    locked_until = LocalDateTime(allow_none=True)
    mfa_enabled = ma.fields.Boolean()
    version = ma.fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class UserCreateSchema(BaseSchema):
    username = text(64, required=True, min_len=3)
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=256))
    name = text(64, required=True)
    role = enum(ROLES, required=True)
    region_id = id_field(allow_none=True)
    department_id = id_field(allow_none=True)
    enterprise_id = id_field(allow_none=True)
    institution_id = id_field(allow_none=True)
    phone = ma.fields.String(allow_none=True, validate=ma.validate.Regexp(r"^[0-9+\-]{5,20}$"))


class UserUpdateSchema(BaseSchema):
    name = text(64)
    role = enum(ROLES)
    region_id = id_field(allow_none=True)
    department_id = id_field(allow_none=True)
    enterprise_id = id_field(allow_none=True)
    institution_id = id_field(allow_none=True)
    phone = ma.fields.String(allow_none=True, validate=ma.validate.Regexp(r"^[0-9+\-]{5,20}$"))
    is_active = ma.fields.Boolean()
    password = ma.fields.String(validate=ma.validate.Length(min=1, max=256))


class UserQuerySchema(BaseSchema):
    role = enum(ROLES)
    q = ma.fields.String(validate=ma.validate.Length(max=64))


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


class MfaEnrolmentCodeSchema(BaseSchema):
    user_id = ma.fields.Integer()
    enrolment_code = ma.fields.String(metadata={"description": "一次性绑定码：线下（当面或电话）交给账号本人"})
    expires_at = LocalDateTime()
