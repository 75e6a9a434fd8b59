"""Plans, common problems, similar problems and policies."""

import marshmallow as ma

from services import sorts
from api.pagination import sort_field, ListArgsSchema
from api.schemas.base import BaseSchema, IdListField, LocalDateTime, MultiEnum, NameOf, SafeDate, enum, id_field, text
from api.schemas.problems import ProblemSummarySchema
from services.models.enterprises import ENTITY_TYPES, INDUSTRIES, SCALES, TAGS
from services.models.policies import BENEFIT_TYPES

MEASURE_STATUSES = ("planned", "in_progress", "done")


class MeasureSchema(BaseSchema):
    content = text(2000, required=True)
    responsible_department = id_field(allow_none=True, metadata={"description": "责任部门 id（GET /departments）"})
    due_date = SafeDate(allow_none=True)
    status = enum(MEASURE_STATUSES, load_default="planned")


class PlanSchema(BaseSchema):
    enterprise_id = ma.fields.Integer()
    enterprise_name = NameOf("enterprise.name")
    version = ma.fields.Integer()
    status = ma.fields.String()
    situation = ma.fields.String()
    measures = ma.fields.List(ma.fields.Dict())
    contingency = ma.fields.String()
    problem_ids = ma.fields.List(ma.fields.Integer())
    created_by_id = ma.fields.Integer(allow_none=True)
    created_by_name = NameOf("created_by.name")
    approved_by = ma.fields.Integer(attribute="approved_by_id", allow_none=True)
    approved_by_name = NameOf("approved_by_user.name")
    approved_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime()


class PlanPutSchema(BaseSchema):
    situation = text(10000, load_default="")
    measures = ma.fields.List(ma.fields.Nested(MeasureSchema), validate=ma.validate.Length(max=100), load_default=list)
    contingency = text(10000, load_default="")
    problem_ids = IdListField(load_default=list)


class CommonProblemSchema(BaseSchema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    description = ma.fields.String()
    region_id = ma.fields.Integer()
    region_name = NameOf("region.name")
    resolution = ma.fields.String(allow_none=True)
    resolved_at = LocalDateTime(allow_none=True)
    problem_ids = ma.fields.List(ma.fields.Integer())
    version = ma.fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class CommonProblemCreateSchema(BaseSchema):
    title = text(200, required=True)
    description = text(5000, load_default="")
    problem_ids = IdListField(required=True)


class ProblemIdsSchema(BaseSchema):
    problem_ids = IdListField(required=True)


class CommonResolveSchema(BaseSchema):
    resolution = text(5000, required=True)


class SkippedSchema(BaseSchema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    reason = ma.fields.String()


class CommonResolveResultSchema(BaseSchema):
    common_problem = ma.fields.Nested(CommonProblemSchema)
    resolved = ma.fields.List(ma.fields.Integer())
    skipped = ma.fields.List(ma.fields.Nested(SkippedSchema))


class SimilarItemSchema(BaseSchema):
    problem = ma.fields.Nested(ProblemSummarySchema)
    score = ma.fields.Float()


class SimilarSchema(BaseSchema):
    items = ma.fields.List(ma.fields.Nested(SimilarItemSchema))


class SimilarQuerySchema(BaseSchema):
    limit = ma.fields.Integer(load_default=10, validate=ma.validate.Range(min=1, max=50))


class CriteriaSchema(BaseSchema):
    entity_types = ma.fields.List(enum(ENTITY_TYPES))
    scales = ma.fields.List(enum(SCALES))
    industries = ma.fields.List(enum(INDUSTRIES))
    region_ids = IdListField()
    tags_any = ma.fields.List(enum(TAGS))
    min_employees = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(0, 10_000_000))
    max_employees = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(0, 10_000_000))


class PolicySchema(BaseSchema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    issuer = ma.fields.String()
    benefit_type = ma.fields.String()
    summary = ma.fields.String()
    criteria = ma.fields.Nested(CriteriaSchema)
    valid_from = ma.fields.Date(allow_none=True)
    valid_to = ma.fields.Date(allow_none=True)
    contact_office = ma.fields.String()
    contact_phone = ma.fields.String()
    materials = ma.fields.List(ma.fields.String())
    published_at = LocalDateTime(allow_none=True)
    version = ma.fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


def _policy_fields(create: bool) -> dict:
    required = {"required": True} if create else {}
    return {
        "title": text(200, **required),
        "issuer": text(128, **required),
        "benefit_type": enum(BENEFIT_TYPES, **required),
        "summary": text(5000),
        "criteria": ma.fields.Nested(CriteriaSchema),
        "valid_from": SafeDate(allow_none=True),
        "valid_to": SafeDate(allow_none=True),
        "contact_office": text(128),
        "contact_phone": ma.fields.String(validate=ma.validate.Regexp(r"^[0-9+\-]{5,32}$", error="电话号码格式无效")),
        "materials": ma.fields.List(text(200), validate=ma.validate.Length(max=50)),
    }


PolicyCreateSchema = type("PolicyCreateSchema", (BaseSchema,), _policy_fields(create=True))
PolicyUpdateSchema = type("PolicyUpdateSchema", (BaseSchema,), _policy_fields(create=False))


class PolicyQuerySchema(ListArgsSchema):
    benefit_type = MultiEnum(BENEFIT_TYPES)
    in_force = ma.fields.Boolean(metadata={"description": "只列现行有效的政策（不带令牌时总是如此）"})
    sort = sort_field(sorts.POLICIES)


class MatchFactsSchema(BaseSchema):
    entity_type = enum(ENTITY_TYPES, required=True)
    scale = enum(SCALES, required=True)
    industry = enum(INDUSTRIES, required=True)
    region_id = id_field(required=True)
    employees = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(0, 10_000_000))
    tags = ma.fields.List(enum(TAGS), validate=ma.validate.Length(max=len(TAGS)))


class MatchedSchema(BaseSchema):
    policy = ma.fields.Nested(PolicySchema)
    reasons = ma.fields.List(ma.fields.String())


class NearMissSchema(BaseSchema):
    policy = ma.fields.Nested(PolicySchema)
    failed = ma.fields.String()


class MatchResultSchema(BaseSchema):
    matched = ma.fields.List(ma.fields.Nested(MatchedSchema))
    near_misses = ma.fields.List(ma.fields.Nested(NearMissSchema))
