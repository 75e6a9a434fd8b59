"""Policies and instant matching (不来即享)."""

import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas.base import BaseSchema, IdListField, LocalDateTime, MultiEnum, SafeDate, enum, id_field, text
from services import sorts
from services.models.enterprises import ENTITY_TYPES, INDUSTRIES, SCALES, TAGS
from services.models.policies import BENEFIT_TYPES


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
