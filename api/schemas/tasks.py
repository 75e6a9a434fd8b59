"""Departments' tasks: the task, the inbox's arguments and page, the action bodies, the department assessment."""

import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas.base import BaseSchema, LocalDateTime, MultiEnum, NameOf, id_field, text
from services import sorts
from services.models.tasks import TASK_ROLES, TASK_STATUSES


class TaskSchema(BaseSchema):
    id = ma.fields.Integer()
    problem_id = ma.fields.Integer()
    problem_number = NameOf("problem.number")
    problem_title = NameOf("problem.title")
    problem_status = NameOf("problem.status", metadata={"description": "问题的当前状态"})
    enterprise_id = ma.fields.Function(lambda t: t.problem.enterprise_id, metadata={"type": "integer"})
    enterprise_name = NameOf("problem.enterprise.name")
    department_id = ma.fields.Integer()
    department_name = NameOf("department.name")
    region_id = ma.fields.Integer(metadata={"description": "交办的专班所在区划"})
    region_name = NameOf("region.name")
    role = ma.fields.String(metadata={"enum": list(TASK_ROLES), "description": "lead 主办 | assist 协办"})
    status = ma.fields.String(metadata={"enum": list(TASK_STATUSES)})
    instructions = ma.fields.String()
    dispatched_at = LocalDateTime()
    due_at = LocalDateTime()
    sign_due_at = LocalDateTime()
    signed_at = LocalDateTime(allow_none=True)
    reported_at = LocalDateTime(allow_none=True)
    result = ma.fields.String(allow_none=True)
    refusal_reason = ma.fields.String(allow_none=True)
    recall_reason = ma.fields.String(allow_none=True)
    ended_at = LocalDateTime(allow_none=True)
    reopen_count = ma.fields.Integer()
    overdue = ma.fields.Boolean(metadata={"description": "未办结且已过办理期限"})
    sign_overdue = ma.fields.Boolean(metadata={"description": "待签收且已过签收期限"})
    allowed_actions = ma.fields.List(ma.fields.String())
    version = ma.fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class TaskBriefSchema(BaseSchema):
    """A task as the problem shows it (no allowed actions: those are on /tasks/{id})."""

    id = ma.fields.Integer()
    department_id = ma.fields.Integer()
    department_name = NameOf("department.name")
    role = ma.fields.String()
    status = ma.fields.String()
    instructions = ma.fields.String()
    dispatched_at = LocalDateTime()
    due_at = LocalDateTime()
    sign_due_at = LocalDateTime()
    signed_at = LocalDateTime(allow_none=True)
    reported_at = LocalDateTime(allow_none=True)
    result = ma.fields.String(allow_none=True)
    refusal_reason = ma.fields.String(allow_none=True)
    recall_reason = ma.fields.String(allow_none=True)
    reopen_count = ma.fields.Integer()
    allowed_actions = ma.fields.List(ma.fields.String(), metadata={"description": "本人现在可对该任务执行的操作"})
    version = ma.fields.Integer()


class TaskQuerySchema(ListArgsSchema):
    status = MultiEnum(TASK_STATUSES)
    role = MultiEnum(TASK_ROLES)
    overdue = ma.fields.Boolean(metadata={"description": "true：未办结且已过办理期限"})
    problem = id_field()
    department = id_field(metadata={"description": "承办单位（专班查看时）"})
    sort = sort_field(sorts.TASKS)


class TaskExportQuerySchema(TaskQuerySchema):
    class Meta:
        exclude = ("limit", "cursor", "count", "sort")


class TaskCountsSchema(BaseSchema):
    dispatched = ma.fields.Integer()
    signed = ma.fields.Integer()
    refused = ma.fields.Integer()
    reported = ma.fields.Integer()
    recalled = ma.fields.Integer()
    superseded = ma.fields.Integer()
    reopened = ma.fields.Integer()


class TaskPageSchema(BaseSchema):
    items = ma.fields.List(ma.fields.Nested(TaskSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)
    total = ma.fields.Integer()
    counts = ma.fields.Nested(TaskCountsSchema, required=True,
                              metadata={"description": "符合其他筛选条件的任务按状态计数（不受 status 筛选影响）"})


class EmptySchema(BaseSchema):
    pass


class ReasonSchema(BaseSchema):
    reason = text(2000, required=True, min_len=1)


class NoteSchema(BaseSchema):
    note = text(5000, required=True, min_len=1)


class ResultSchema(BaseSchema):
    result = text(5000, required=True, min_len=1)


ACTION_SCHEMAS = {"sign": EmptySchema, "refuse": ReasonSchema, "progress": NoteSchema, "report": ResultSchema,
                  "recall": ReasonSchema}


class DepartmentAssessmentQuerySchema(BaseSchema):
    region = id_field(metadata={"description": "区划（默认本人所在区划），含下级区划的部门"})
    quarter = ma.fields.String(validate=ma.validate.Regexp(r"^\d{4}Q[1-4]$"), metadata={"example": "2026Q4"})


class DepartmentAssessmentRowSchema(BaseSchema):
    department_id = ma.fields.Integer()
    department_name = ma.fields.String()
    region_id = ma.fields.Integer()
    region_name = ma.fields.String()
    dispatched = ma.fields.Integer(metadata={"description": "本季度交办的任务数"})
    lead_tasks = ma.fields.Integer(metadata={"description": "其中主办"})
    sign_on_time_rate = ma.fields.Float(allow_none=True)
    report_on_time_rate = ma.fields.Float(allow_none=True)
    refusal_rate = ma.fields.Float(allow_none=True)
    satisfaction_rate = ma.fields.Float(allow_none=True)
    reopen_rate = ma.fields.Float(allow_none=True)
    score = ma.fields.Float()
    rank = ma.fields.Integer()


class DepartmentAssessmentSchema(BaseSchema):
    quarter = ma.fields.String()
    region = ma.fields.Dict()
    weights = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float())
    rows = ma.fields.List(ma.fields.Nested(DepartmentAssessmentRowSchema))
