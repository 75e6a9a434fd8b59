"""Common problems (共性问题) and similar problems."""

import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas.base import BaseSchema, IdListField, LocalDateTime, NameOf, text
from api.schemas.problems import ProblemSummarySchema
from services import sorts


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


class CommonProblemListArgs(ListArgsSchema):
    sort = sort_field(sorts.COMMON_PROBLEMS)
