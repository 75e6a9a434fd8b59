"""Photos."""

import marshmallow as ma

from api.schemas.base import BaseSchema


class PhotoSchema(BaseSchema):
    id = ma.fields.Integer()
    url = ma.fields.Function(lambda p: f"/api/v1/photos/{p.id}", metadata={"type": "string"})
    thumbnail_url = ma.fields.Function(lambda p: f"/api/v1/photos/{p.id}/thumbnail", metadata={"type": "string"})


class UploadSchema(BaseSchema):
    file = ma.fields.Raw(required=True, metadata={"type": "string", "format": "binary"})
