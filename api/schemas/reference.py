"""Regions and departments."""


import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas.base import BaseSchema, LocalDateTime, NameOf, enum, id_field, text
from services import sorts
from services.models.enterprises import INDUSTRIES
from services.models.reference import REGION_LEVELS


class RegionSchema(BaseSchema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    level = ma.fields.String()
    parent_id = ma.fields.Integer(allow_none=True)
    parent_name = NameOf("parent.name")
    version = ma.fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class RegionCreateSchema(BaseSchema):
    code = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^\d{6}$", error="须为 6 位数字"))
    name = text(64, required=True)
    level = enum(REGION_LEVELS, required=True)
    parent_id = id_field(allow_none=True)


class RegionUpdateSchema(BaseSchema):
    code = ma.fields.String(validate=ma.validate.Regexp(r"^\d{6}$", error="须为 6 位数字"))
    name = text(64)


class RegionQuerySchema(BaseSchema):
    level = enum(REGION_LEVELS)
    parent_id = id_field()


class DepartmentSchema(BaseSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    region_id = ma.fields.Integer()
    region_name = NameOf("region.name")
    industries = ma.fields.List(ma.fields.String())
    version = ma.fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class DepartmentCreateSchema(BaseSchema):
    name = text(64, required=True)
    region_id = id_field(required=True)
    industries = ma.fields.List(enum(INDUSTRIES), validate=ma.validate.Length(max=20))


class DepartmentUpdateSchema(BaseSchema):
    name = text(64)
    region_id = id_field()
    industries = ma.fields.List(enum(INDUSTRIES), validate=ma.validate.Length(max=20))


class DepartmentQuerySchema(BaseSchema):
    region = id_field()


class CalendarDaySchema(BaseSchema):
    day = ma.fields.Date()
    is_workday = ma.fields.Boolean()
    note = ma.fields.String()


class CalendarDayPutSchema(BaseSchema):
    is_workday = ma.fields.Boolean(required=True, metadata={"description": "false：法定节假日；true：调休上班日"})
    note = text(64, load_default="")


class CalendarQuerySchema(BaseSchema):
    year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100))


class CalendarListSchema(BaseSchema):
    items = ma.fields.List(ma.fields.Nested(CalendarDaySchema))


class RegionListArgs(RegionQuerySchema, ListArgsSchema):
    sort = sort_field(sorts.REGIONS)


class DepartmentListArgs(DepartmentQuerySchema, ListArgsSchema):
    sort = sort_field(sorts.DEPARTMENTS)
