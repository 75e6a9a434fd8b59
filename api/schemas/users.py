"""Accounts (用户管理)."""

import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas.base import BaseSchema, LocalDateTime, NameOf, enum, id_field, text
from services import sorts
from services.models.users import ROLES


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


class MfaEnrolmentCodeSchema(BaseSchema):
    user_id = ma.fields.Integer()
    enrolment_code = ma.fields.String(metadata={"description": "一次性绑定码：线下（当面或电话）交给账号本人"})
    expires_at = LocalDateTime()


class UserListArgs(UserQuerySchema, ListArgsSchema):
    sort = sort_field(sorts.USERS)
    pass
