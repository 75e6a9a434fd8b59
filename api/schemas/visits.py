"""Visits (走访) and the problems filed with them."""

import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas.base import BaseSchema, LocalDateTime, MultiEnum, NameOf, enum, id_field, text
from api.schemas.photos import PhotoSchema
from services import sorts
from services.location import LOCATION_CHECKS
from services.models.enterprises import OPERATING_STATUSES
from services.models.field import VISIT_METHODS
from services.models.problems import PROBLEM_CATEGORIES, PROBLEM_SCOPES, URGENCIES


class VisitSchema(BaseSchema):
    id = ma.fields.Integer()
    enterprise_id = ma.fields.Integer()
    enterprise_name = NameOf("enterprise.name")
    liaison_id = ma.fields.Integer()
    liaison_name = NameOf("liaison.name")
    method = ma.fields.String()
    visited_at = LocalDateTime()
    summary = ma.fields.String()
    latitude = ma.fields.Float(allow_none=True)
    longitude = ma.fields.Float(allow_none=True)
    accuracy_m = ma.fields.Float(allow_none=True)
    location_check = ma.fields.String(allow_none=True, metadata={
        "enum": list(LOCATION_CHECKS),
        "description": "实地走访定位核验（仅 on_site）：ok 相符，far 距企业过远，poor_accuracy 精度不足，missing 无定位"})
    operating_status = ma.fields.String(allow_none=True)
    employees = ma.fields.Integer(allow_none=True)
    problem_ids = ma.fields.List(ma.fields.Integer())
    photos = ma.fields.List(ma.fields.Nested(PhotoSchema))
    version = ma.fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class NestedProblemSchema(BaseSchema):
    category = enum(PROBLEM_CATEGORIES, required=True)
    title = text(200, required=True)
    description = text(5000, load_default="")
    scope = enum(PROBLEM_SCOPES, required=True)
    urgency = enum(URGENCIES, load_default="normal")


class VisitCreateSchema(BaseSchema):
    enterprise_id = id_field(required=True)
    method = enum(VISIT_METHODS, required=True)
    visited_at = LocalDateTime(required=True)
    summary = text(5000, load_default="")
    latitude = ma.fields.Float(allow_none=True, allow_nan=False, validate=ma.validate.Range(-90, 90))
    longitude = ma.fields.Float(allow_none=True, allow_nan=False, validate=ma.validate.Range(-180, 180))
    accuracy_m = ma.fields.Float(allow_none=True, allow_nan=False, validate=ma.validate.Range(0, 100_000))
    operating_status = enum(OPERATING_STATUSES, allow_none=True)
    employees = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(0, 10_000_000))
    problems = ma.fields.List(ma.fields.Nested(NestedProblemSchema), validate=ma.validate.Length(max=20),
                              load_default=list)


class VisitQuerySchema(ListArgsSchema):
    enterprise = id_field()
    liaison = id_field()
    from_ = LocalDateTime(data_key="from")
    to = LocalDateTime()
    method = MultiEnum(VISIT_METHODS)
    location_check = MultiEnum(LOCATION_CHECKS, metadata={
        "description": "实地走访定位核验，可多选，逗号分隔，如 far,poor_accuracy"})
    sort = sort_field(sorts.VISITS)


class VisitExportQuerySchema(VisitQuerySchema):
    class Meta:
        exclude = ("limit", "cursor", "count", "sort")  # the log is newest visit first
