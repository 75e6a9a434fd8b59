"""一企一策 plans."""

import marshmallow as ma

from api.schemas.base import BaseSchema, IdListField, LocalDateTime, NameOf, SafeDate, enum, id_field, text

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
