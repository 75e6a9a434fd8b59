"""Monthly report surveys by region."""

import marshmallow as ma

from api.schemas.base import (
    COUNTS,
    BaseSchema,
    LocalDateTime,
    id_field,
)
from api.schemas.dashboard import RegionBriefSchema


class SurveyQuerySchema(BaseSchema):
    region = id_field(metadata={"description": "区划，默认本人所在区划（管理员：省）"})
    period = ma.fields.String(validate=ma.validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="月份格式无效，应为 YYYY-MM"),
                              metadata={"description": "月份 YYYY-MM，默认本月"})


class SurveyTotalsSchema(BaseSchema):
    count = ma.fields.Integer()
    expected = ma.fields.Integer()
    employees = ma.fields.Integer()
    revenue_10k = ma.fields.Float()
    by_operating_status = ma.fields.Dict(**COUNTS)


class MissingReportSchema(BaseSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    region_id = ma.fields.Integer()


class SurveyItemSchema(BaseSchema):
    enterprise_id = ma.fields.Integer()
    enterprise_name = ma.fields.String()
    period = ma.fields.String()
    operating_status = ma.fields.String()
    employees = ma.fields.Integer()
    revenue_10k = ma.fields.Float(allow_none=True)
    capacity_pct = ma.fields.Float(allow_none=True)
    note = ma.fields.String()
    updated_at = LocalDateTime()


class SurveySchema(BaseSchema):
    region = ma.fields.Nested(RegionBriefSchema)
    period = ma.fields.String()
    totals = ma.fields.Nested(SurveyTotalsSchema)
    not_reported = ma.fields.List(ma.fields.Nested(MissingReportSchema))
    items = ma.fields.List(ma.fields.Nested(SurveyItemSchema))
