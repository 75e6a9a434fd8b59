"""The daily dispatch figures (日调度)."""

import marshmallow as ma

from api.schemas.base import (
    COUNTS,
    BaseSchema,
    SafeDate,
    id_field,
)


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
