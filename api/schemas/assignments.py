"""包抓 and 联络 assignments."""

import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas.base import BaseSchema, LocalDateTime, NameOf, SafeDate, enum, id_field
from services import sorts
from services.models.enterprises import ASSIGNMENT_KINDS


class AssignmentSchema(BaseSchema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    user_id = ma.fields.Integer()
    user_name = NameOf("user.name")
    enterprise_id = ma.fields.Integer()
    enterprise_name = NameOf("enterprise.name")
    department_id = ma.fields.Integer(allow_none=True)
    department_name = NameOf("department.name")
    started_on = ma.fields.Date()
    ended_on = ma.fields.Date(allow_none=True)
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class AssignmentCreateSchema(BaseSchema):
    user_id = id_field(required=True)
    enterprise_id = id_field(required=True)
    kind = enum(ASSIGNMENT_KINDS, load_default="liaison")
    department_id = id_field(allow_none=True)
    started_on = SafeDate()


class AssignmentEndSchema(BaseSchema):
    ended_on = SafeDate()


class AssignmentQuerySchema(ListArgsSchema):
    enterprise = id_field()
    user = id_field()
    kind = enum(ASSIGNMENT_KINDS)
    active = ma.fields.Boolean()
    sort = sort_field(sorts.ASSIGNMENTS)
