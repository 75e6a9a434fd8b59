"""The quarterly assessment (考核评价)."""

import marshmallow as ma

from api.schemas.base import (
    COUNTS,
    BaseSchema,
    id_field,
)
from api.schemas.dashboard import RegionBriefSchema

QUARTER = ma.validate.Regexp(r"^\d{4}Q[1-4]$", error="季度格式无效，应为 YYYYQn，如 2026Q3")


class AssessmentQuerySchema(BaseSchema):
    region = id_field(metadata={"description": "区划，默认本人所在区划（管理员：省）"})
    quarter = ma.fields.String(validate=QUARTER, metadata={"description": "季度，如 2026Q3；默认本季度"})


class AssessmentMetricsSchema(BaseSchema):
    closure_rate = ma.fields.Float(allow_none=True)
    on_time_rate = ma.fields.Float(allow_none=True)
    satisfaction_rate = ma.fields.Float(allow_none=True)
    reopen_rate = ma.fields.Float(allow_none=True)
    visit_coverage = ma.fields.Float(allow_none=True)
    entity_growth_rate = ma.fields.Float(allow_none=True)
    employment_growth_rate = ma.fields.Float(allow_none=True)
    net_above_scale = ma.fields.Integer()
    arrears_completion_rate = ma.fields.Float(allow_none=True, metadata={
        "description": "清欠计划完成率：季度内清偿 ÷ 季度内计划；无计划为 null（不计入该县权重）"})
    counts = ma.fields.Dict(**COUNTS)


class AssessmentRowSchema(AssessmentMetricsSchema):
    region = ma.fields.Nested(RegionBriefSchema)
    score = ma.fields.Float(allow_none=True)
    rank = ma.fields.Integer(allow_none=True)


class IndustryRowSchema(AssessmentMetricsSchema):
    industry = ma.fields.String()


class AssessmentSchema(BaseSchema):
    quarter = ma.fields.String()
    region = ma.fields.Nested(RegionBriefSchema)
    weights = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float())
    rows = ma.fields.List(ma.fields.Nested(AssessmentRowSchema))
    by_industry = ma.fields.List(ma.fields.Nested(IndustryRowSchema))
