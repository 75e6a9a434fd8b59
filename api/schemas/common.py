"""Schemas shared by every resource: problem details, meta."""

import marshmallow as ma

from api.schemas.base import BaseSchema


class ProblemDetailSchema(BaseSchema):
    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    code = ma.fields.String()
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()))
    current_status = ma.fields.String()
    allowed_actions = ma.fields.List(ma.fields.String())


class EnumsSchema(BaseSchema):
    class Meta:
        unknown = ma.INCLUDE

    problem_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
