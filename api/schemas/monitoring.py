"""Warnings, the dispatch dashboard, the quarterly assessment and the monthly survey."""

import marshmallow as ma

from api.pagination import sort_field, ListArgsSchema
from services import sorts
from api.schemas.base import BaseSchema, LocalDateTime, LocalTimesDict, MultiEnum, NameOf, SafeDate, id_field, text
from services.models.monitoring import SEVERITIES, WARNING_STATES, WARNING_TYPES

COUNTS = {"keys": ma.fields.String(), "values": ma.fields.Integer()}


class WarningSchema(BaseSchema):
    id = ma.fields.Integer()
    type = ma.fields.String()
    severity = ma.fields.String()
    state = ma.fields.String()
    enterprise_id = ma.fields.Integer(allow_none=True)
    enterprise_name = NameOf("enterprise.name")
    problem_id = ma.fields.Integer(allow_none=True)
    problem_number = NameOf("problem.number", metadata={"description": "问题台账编号"})
    problem_title = NameOf("problem.title")
    region_id = ma.fields.Integer()
    region_name = NameOf("region.name")
    detail = LocalTimesDict()
    opened_at = LocalDateTime()
    acknowledged_at = LocalDateTime(allow_none=True)
    acknowledged_by_id = ma.fields.Integer(allow_none=True)
    acknowledged_by_name = NameOf("acknowledged_by.name")
    acknowledge_note = ma.fields.String(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    version = ma.fields.Integer()


class WarningQuerySchema(ListArgsSchema):
    state = MultiEnum(WARNING_STATES)
    severity = MultiEnum(SEVERITIES)
    type = MultiEnum(WARNING_TYPES)
    region = id_field(metadata={"description": "区划（含下级）"})
    enterprise = id_field()
    sort = sort_field(sorts.WARNINGS)


class AcknowledgeSchema(BaseSchema):
    note = text(500, required=True)


class RegionBriefSchema(BaseSchema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    level = ma.fields.String()


class DashboardProblemsSchema(BaseSchema):
    total = ma.fields.Integer()
    by_status = ma.fields.Dict(**COUNTS)
    by_category = ma.fields.Dict(**COUNTS)
    by_level = ma.fields.Dict(**COUNTS)
    new = ma.fields.Integer()
    accepted = ma.fields.Integer()
    resolved = ma.fields.Integer()
    closed = ma.fields.Integer()
    overdue = ma.fields.Integer()
    closure_rate = ma.fields.Float(allow_none=True)
    mean_days_to_close = ma.fields.Float(allow_none=True)


class VisitCountsSchema(BaseSchema):
    day = ma.fields.Integer()
    month = ma.fields.Integer()


class KeyEnterprisesSchema(BaseSchema):
    total = ma.fields.Integer()
    visited_this_month = ma.fields.Integer()


class DashboardNeedsSchema(BaseSchema):
    """对接 this month to the date: needs open (or matched) by kind at its end, and the month's flows."""

    open_by_kind = ma.fields.Dict(**COUNTS)
    new = ma.fields.Integer()
    financing_asked_10k = ma.fields.Float()
    financing_granted_10k = ma.fields.Float()
    posts_asked = ma.fields.Integer()
    posts_filled = ma.fields.Integer()
    matches_signed = ma.fields.Integer()


class DashboardChildSchema(BaseSchema):
    needs = ma.fields.Nested(DashboardNeedsSchema)
    region = ma.fields.Nested(RegionBriefSchema)
    problems = ma.fields.Nested(DashboardProblemsSchema)
    visits = ma.fields.Nested(VisitCountsSchema)
    key_enterprises = ma.fields.Nested(KeyEnterprisesSchema)
    enterprises_by_status = ma.fields.Dict(**COUNTS)
    warnings_open = ma.fields.Dict(**COUNTS)
    tasks = ma.fields.Nested("DashboardTasksSchema")


class DashboardDepartmentTasksSchema(BaseSchema):
    department_id = ma.fields.Integer()
    department_name = ma.fields.String()
    open = ma.fields.Integer(metadata={"description": "待签收、办理中和重新办理的任务"})
    overdue = ma.fields.Integer(metadata={"description": "其中已过办理期限的"})


class DashboardTasksSchema(BaseSchema):
    """承办任务: the tasks of the region's problems dispatched by the end of the day, in their current status."""

    total = ma.fields.Integer()
    by_status = ma.fields.Dict(**COUNTS)
    overdue = ma.fields.Integer()
    sign_overdue = ma.fields.Integer(metadata={"description": "超过签收期限仍未签收"})
    by_department = ma.fields.List(ma.fields.Nested(DashboardDepartmentTasksSchema))


class DashboardSchema(BaseSchema):
    region = ma.fields.Nested(RegionBriefSchema)
    needs = ma.fields.Nested(DashboardNeedsSchema)
    date = ma.fields.String()
    problems = ma.fields.Nested(DashboardProblemsSchema)
    visits = ma.fields.Nested(VisitCountsSchema)
    key_enterprises = ma.fields.Nested(KeyEnterprisesSchema)
    enterprises_by_status = ma.fields.Dict(**COUNTS)
    warnings_open = ma.fields.Dict(**COUNTS)
    tasks = ma.fields.Nested(DashboardTasksSchema)
    children = ma.fields.List(ma.fields.Nested(DashboardChildSchema))


class DashboardQuerySchema(BaseSchema):
    region = id_field(metadata={"description": "区划，默认本人所在区划（管理员：省）"})
    day = SafeDate(data_key="date", metadata={"description": "日期，默认今天（Asia/Shanghai）"})


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
