"""Schemas shared by every resource: problem details, meta."""

import marshmallow as ma

from api.schemas.base import BaseSchema
from services.labels import ENUM_LABELS


class ProblemDetailSchema(BaseSchema):
    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    code = ma.fields.String()
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()))
    current_status = ma.fields.String()
    allowed_actions = ma.fields.List(ma.fields.String())


# One field per enum: a schema dumps only the fields it declares (Meta.unknown applies to loading).
EnumsSchema = BaseSchema.from_dict(
    {name: ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String()) for name in ENUM_LABELS},
    name="EnumsSchema")
