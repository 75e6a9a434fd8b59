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


def _enum_field(name: str, labels: dict) -> ma.fields.Field:
    """One enum: each value with its Chinese label, every value listed in the document."""
    return ma.fields.Nested(type(f"{''.join(p.title() for p in name.split('_'))}LabelsSchema", (BaseSchema,), {
        value: ma.fields.String(required=True, metadata={"example": label}) for value, label in labels.items()
    }), required=True)


# Every enum of services.labels, each a field: nothing is dropped on output.
EnumsSchema = type("EnumsSchema", (BaseSchema,), {name: _enum_field(name, labels)
                                                  for name, labels in ENUM_LABELS.items()})
