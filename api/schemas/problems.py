"""Problems, their events, workflow action bodies and notifications."""

import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas import tasks as _tasks  # noqa: F401 - TaskBriefSchema, nested by name below
from api.schemas.base import (
    BaseSchema,
    IdListField,
    LocalDateTime,
    LocalTimesDict,
    MultiEnum,
    NameOf,
    SafeDate,
    enum,
    id_field,
    text,
)
from api.schemas.needs import NeedInlineSchema
from api.schemas.photos import PhotoSchema
from services import sorts
from services.db import utcnow
from services.models.problems import PROBLEM_CATEGORIES, PROBLEM_SCOPES, PROBLEM_STATUSES, SATISFACTIONS, URGENCIES
from services.problems import stints
from services.problems.workflow import LEVELS


class ActorRefSchema(BaseSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    role = ma.fields.String()


class ProblemEventSchema(BaseSchema):
    action = ma.fields.String()
    actor = ma.fields.Nested(ActorRefSchema, allow_none=True)
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String(allow_none=True)
    from_level = ma.fields.String(allow_none=True)
    to_level = ma.fields.String(allow_none=True)
    comment = ma.fields.String(allow_none=True)
    internal = ma.fields.Boolean()
    data = LocalTimesDict()
    at = LocalDateTime()


class StintSchema(BaseSchema):
    """办理段: one task force's hold of the problem; `overdue` stays true once a deadline passed."""

    region_id = ma.fields.Integer()
    region_name = ma.fields.String(allow_none=True)
    level = ma.fields.String()
    arrived_at = LocalDateTime()
    acceptance_due_at = LocalDateTime(allow_none=True)
    accepted_at = LocalDateTime(allow_none=True)
    due_at = LocalDateTime(allow_none=True)
    left_at = LocalDateTime(allow_none=True)
    left_by = ma.fields.String(allow_none=True, metadata={"description": "escalate | return | reclassify | "
                                                                         "feedback | close | reject | withdraw"})
    paused_seconds = ma.fields.Integer()
    overdue = ma.fields.Function(lambda s: stints.is_overdue(s, s.problem, utcnow()), dump_only=True,
                                 metadata={"type": "boolean"})


class LinkedNeedSchema(BaseSchema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    status = ma.fields.String()


class ProblemSummarySchema(BaseSchema):
    """A list item: compact for phones (no timeline)."""

    id = ma.fields.Integer()
    number = ma.fields.String()
    enterprise_id = ma.fields.Integer()
    enterprise_name = NameOf("enterprise.name")
    source = ma.fields.String()
    category = ma.fields.String()
    title = ma.fields.String()
    scope = ma.fields.String()
    urgency = ma.fields.String()
    level = ma.fields.String()
    owning_region_id = ma.fields.Integer()
    owning_region_name = NameOf("owning_region.name")
    department_id = ma.fields.Integer(allow_none=True)
    department_name = NameOf("department.name")
    status = ma.fields.String()
    due_at = LocalDateTime(allow_none=True)
    supervised = ma.fields.Boolean()
    reopen_count = ma.fields.Integer()
    accepted_at = LocalDateTime(allow_none=True)
    resolved_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    version = ma.fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class ProblemSchema(ProblemSummarySchema):
    description = ma.fields.String()
    visit_id = ma.fields.Integer(allow_none=True)
    acceptance_due_at = LocalDateTime(allow_none=True)
    supervision_deadline = LocalDateTime(allow_none=True)
    supervision_note = ma.fields.String(allow_none=True)
    resolution = ma.fields.String(allow_none=True)
    satisfaction = ma.fields.String(allow_none=True)
    closed_without_feedback = ma.fields.Boolean()
    reject_reason = ma.fields.String(allow_none=True)
    referred_to = ma.fields.String(allow_none=True)
    stints = ma.fields.List(ma.fields.Nested(StintSchema))
    duplicate_of_id = ma.fields.Integer(allow_none=True)
    extension_due_at = LocalDateTime(allow_none=True)
    extension_reason = ma.fields.String(allow_none=True)
    rejected_at = LocalDateTime(allow_none=True)
    withdrawn_at = LocalDateTime(allow_none=True)
    allowed_actions = ma.fields.List(ma.fields.String())
    events = ma.fields.List(ma.fields.Nested(ProblemEventSchema), attribute="visible_events")
    tasks = ma.fields.List(ma.fields.Nested("TaskBriefSchema"), metadata={"description": "承办任务（主办、协办），含历史"})
    photos = ma.fields.List(ma.fields.Nested(PhotoSchema), metadata={
        "description": "问题的照片：所属走访的照片和问题自己上传的照片"})
    needs = ma.fields.List(ma.fields.Nested(LinkedNeedSchema), metadata={"description": "问题所附的对接需求"})


class ProblemCreateSchema(BaseSchema):
    enterprise_id = id_field(required=True)
    category = enum(PROBLEM_CATEGORIES, required=True)
    title = text(200, required=True)
    description = text(5000, load_default="")
    scope = enum(PROBLEM_SCOPES, required=True)
    urgency = enum(URGENCIES, load_default="normal")
    need = ma.fields.Nested(NeedInlineSchema, metadata={
        "description": "融资、用工、供应、销售类问题可同时提交结构化需求（同一事务）"})


class ProblemUpdateSchema(BaseSchema):
    title = text(200, min_len=1)
    description = text(5000)
    category = enum(PROBLEM_CATEGORIES)
    urgency = enum(URGENCIES)


class ProblemQuerySchema(ListArgsSchema):
    status = MultiEnum(PROBLEM_STATUSES)
    category = MultiEnum(PROBLEM_CATEGORIES)
    scope = MultiEnum(PROBLEM_SCOPES)
    level = MultiEnum(LEVELS)
    urgency = MultiEnum(URGENCIES)
    region = id_field(metadata={"description": "承办专班所在区划（含下级）"})
    enterprise = id_field()
    overdue = ma.fields.Boolean()
    supervised = ma.fields.Boolean()
    q = ma.fields.String(validate=ma.validate.Length(max=100), metadata={"description": "标题、描述或台账编号"})
    created_from = SafeDate()
    created_to = SafeDate()
    sort = sort_field(sorts.PROBLEMS)


class ProblemExportQuerySchema(ProblemQuerySchema):
    class Meta:
        exclude = ("limit", "cursor", "count", "sort")


# --- action bodies ---------------------------------------------------------------------------

class CommentOnlySchema(BaseSchema):
    comment = text(2000)


class RejectSchema(BaseSchema):
    reason = text(2000, required=True)
    duplicate_of = id_field(allow_none=True)
    referred_to = text(200, allow_none=True, metadata={"description": "转交的办理机关，如 12345 热线、人民法院"})


class ReasonOptionalSchema(BaseSchema):
    reason = text(2000)


class ScopeReasonSchema(BaseSchema):
    scope = enum(PROBLEM_SCOPES, required=True)
    reason = text(2000, required=True)


class AssignSchema(BaseSchema):
    """派单: one lead department and any number of assisting ones, each getting a task with this due date
    (default: the problem's remaining limit) and these instructions."""

    department_id = id_field(required=True, metadata={"description": "主办单位（本级或下级区划的部门）"})
    assist_department_ids = IdListField(load_default=list, metadata={"description": "协办单位"})
    due_at = LocalDateTime(allow_none=True, metadata={"description": "办理期限（默认为问题剩余期限）"})
    instructions = text(2000, metadata={"description": "交办要求"})


class ResolveSchema(BaseSchema):
    resolution = text(5000, metadata={"description": "办理措施和结果；已交办的问题不填时取主办单位的办结反馈"})


class FeedbackSchema(BaseSchema):
    rating = enum(SATISFACTIONS, required=True)
    comment = text(2000)
    method = enum(("self", "phone", "visit"))


class CloseSchema(BaseSchema):
    note = text(2000, required=True)


class QuestionSchema(BaseSchema):
    question = text(2000, required=True)


class AnswerSchema(BaseSchema):
    answer = text(5000, required=True)


class ExtensionRequestSchema(BaseSchema):
    due_at = LocalDateTime(required=True)
    reason = text(2000, required=True)


class ExtensionDecisionSchema(BaseSchema):
    approve = ma.fields.Boolean(required=True)
    note = text(2000)


class SuperviseSchema(BaseSchema):
    deadline = LocalDateTime(required=True)
    note = text(2000, required=True)


class UnsuperviseSchema(BaseSchema):
    note = text(2000)


class CommentSchema(BaseSchema):
    text = text(5000, required=True)
    internal = ma.fields.Boolean(load_default=False)


ACTION_SCHEMAS = {
    "accept": CommentOnlySchema, "reject": RejectSchema, "escalate": ReasonOptionalSchema,
    "return": ScopeReasonSchema, "reclassify": ScopeReasonSchema, "assign": AssignSchema, "resolve": ResolveSchema,
    "feedback": FeedbackSchema, "close": CloseSchema, "withdraw": ReasonOptionalSchema,
    "request_info": QuestionSchema, "supply_info": AnswerSchema, "request_extension": ExtensionRequestSchema,
    "decide_extension": ExtensionDecisionSchema, "supervise": SuperviseSchema, "unsupervise": UnsuperviseSchema,
    "comment": CommentSchema,
}


# --- notifications ----------------------------------------------------------------------------
