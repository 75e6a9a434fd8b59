"""Warnings (监测预警)."""

import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas.base import BaseSchema, LocalDateTime, LocalTimesDict, MultiEnum, NameOf, id_field, text
from services import sorts
from services.models.monitoring import SEVERITIES, WARNING_STATES, WARNING_TYPES


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
