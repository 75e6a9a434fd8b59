"""Enterprises and assignments."""

import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas.base import BaseSchema, LocalDateTime, MultiEnum, NameOf, SafeDate, enum, id_field, text
from services import sorts
from services.models.enterprises import ENTITY_TYPES, INDUSTRIES, OPERATING_STATUSES, SCALES, TAGS

PHONE = ma.validate.Regexp(r"^[0-9+\-]{5,20}$", error="电话号码格式无效")


class EnterpriseSchema(BaseSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    credit_code = ma.fields.String()
    entity_type = ma.fields.String()
    scale = ma.fields.String()
    industry = ma.fields.String()
    region_id = ma.fields.Integer()
    region_name = NameOf("region.name")
    address = ma.fields.String()
    latitude = ma.fields.Float(allow_none=True)
    longitude = ma.fields.Float(allow_none=True)
    contact_name = ma.fields.String()
    contact_phone = ma.fields.String(attribute="shown_contact_phone", allow_none=True)
    tags = ma.fields.List(ma.fields.String())
    operating_status = ma.fields.String()
    employees = ma.fields.Integer()
    registered_on = ma.fields.Date(allow_none=True)
    deregistered_on = ma.fields.Date(allow_none=True)
    version = ma.fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


REQUIRED_ON_CREATE = ("name", "credit_code", "entity_type", "scale", "industry", "region_id")


def _enterprise_fields(create: bool) -> dict:
    def req(name):
        return {"required": True} if create and name in REQUIRED_ON_CREATE else {}

    return {
        "name": text(128, min_len=1, **req("name")),
        "credit_code": ma.fields.String(
            validate=ma.validate.Regexp(r"^[0-9A-Za-z]{18}$", error="须为 18 位统一社会信用代码"), **req("credit_code")),
        "entity_type": enum(ENTITY_TYPES, **req("entity_type")),
        "scale": enum(SCALES, **req("scale")),
        "industry": enum(INDUSTRIES, **req("industry")),
        "region_id": id_field(**req("region_id")),
        "address": text(255),
        "latitude": ma.fields.Float(allow_none=True, allow_nan=False, validate=ma.validate.Range(-90, 90)),
        "longitude": ma.fields.Float(allow_none=True, allow_nan=False, validate=ma.validate.Range(-180, 180)),
        "contact_name": text(64),
        "contact_phone": ma.fields.String(validate=PHONE),
        "tags": ma.fields.List(enum(TAGS), validate=ma.validate.Length(max=len(TAGS))),
        "operating_status": enum(OPERATING_STATUSES),
        "employees": ma.fields.Integer(validate=ma.validate.Range(min=0, max=10_000_000)),
        "registered_on": SafeDate(allow_none=True),
        "deregistered_on": SafeDate(allow_none=True),
    }


EnterpriseCreateSchema = type("EnterpriseCreateSchema", (BaseSchema,), _enterprise_fields(create=True))
EnterpriseUpdateSchema = type("EnterpriseUpdateSchema", (BaseSchema,), _enterprise_fields(create=False))


class EnterpriseQuerySchema(ListArgsSchema):
    q = ma.fields.String(validate=ma.validate.Length(max=64), metadata={"description": "名称或统一社会信用代码"})
    region = id_field(metadata={"description": "区划（含下级）"})
    industry = MultiEnum(INDUSTRIES)
    tag = MultiEnum(TAGS, metadata={"description": "可多选，逗号分隔：具备其中任一标签"})
    operating_status = MultiEnum(OPERATING_STATUSES)
    scale = MultiEnum(SCALES)
    assigned_to_me = ma.fields.Boolean()
    sort = sort_field(sorts.ENTERPRISES)


class EnterpriseChangeSchema(BaseSchema):
    id = ma.fields.Integer()
    field = ma.fields.String()
    old_value = ma.fields.String(allow_none=True)
    new_value = ma.fields.String(allow_none=True)
    source = ma.fields.String()
    actor_id = ma.fields.Integer(allow_none=True)
    actor_name = NameOf("actor.name")
    changed_at = LocalDateTime()
