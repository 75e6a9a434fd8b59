"""Monthly status reports (月度监测)."""

import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas.base import BaseSchema, LocalDateTime, NameOf, enum, text
from services import sorts
from services.models.enterprises import OPERATING_STATUSES


class StatusReportQuerySchema(ListArgsSchema):
    sort = sort_field(sorts.STATUS_REPORTS)


class StatusReportSchema(BaseSchema):
    id = ma.fields.Integer()
    enterprise_id = ma.fields.Integer()
    enterprise_name = NameOf("enterprise.name")
    period = ma.fields.String()
    operating_status = ma.fields.String()
    employees = ma.fields.Integer()
    revenue_10k = ma.fields.Float(allow_none=True)
    capacity_pct = ma.fields.Float(allow_none=True)
    note = ma.fields.String()
    filed_by_id = ma.fields.Integer(allow_none=True)
    filed_by_name = NameOf("filed_by.name")
    version = ma.fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class StatusReportPutSchema(BaseSchema):
    operating_status = enum(OPERATING_STATUSES, required=True)
    employees = ma.fields.Integer(required=True, validate=ma.validate.Range(0, 10_000_000))
    revenue_10k = ma.fields.Float(allow_none=True, allow_nan=False, validate=ma.validate.Range(0, 1_000_000_000),
                                  metadata={"description": "营业收入（万元）"})
    capacity_pct = ma.fields.Float(allow_none=True, allow_nan=False, validate=ma.validate.Range(0, 200))
    note = text(2000, load_default="")
