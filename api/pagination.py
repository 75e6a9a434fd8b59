"""The HTTP side of keyset pagination: the list arguments, the `sort` field and the page envelope.

The paging itself (cursors, sort keys, the page query) is below the views, in services/paging.py."""

from __future__ import annotations

import marshmallow as ma
from sqlalchemy.engine import Row

from api.schemas.base import BaseSchema
from api.serializers.rows import rows_dumper
from services.paging import MAX_LIMIT, Sorts


class ListArgsSchema(BaseSchema):
    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=MAX_LIMIT),
                              metadata={"description": "每页条数，1–100"})
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=1024),
                              metadata={"description": "上一页返回的 next_cursor（须与同一 sort 一起使用）"})
    count = ma.fields.Boolean(load_default=False, metadata={"description": "为 true 时返回 total"})


def sort_field(sorts: Sorts) -> ma.fields.String:
    """The `sort` query argument of a list, documented with its keys and default."""
    keys = "、".join(sorts.columns)
    return ma.fields.String(
        load_default=sorts.default, validate=ma.validate.OneOf(sorts.choices),
        metadata={"description": f"排序：{keys}；前加 - 为降序；默认 {sorts.default}；空值排在最后",
                  "enum": sorts.choices, "example": sorts.default})


_page_schemas: dict[str, type] = {}


class PageSchema(BaseSchema):
    """A page's envelope. Items that are database rows (a service's page of selected columns) are dumped by
    the row plan compiled from the item schema (api/serializers/rows.py), the envelope as marshmallow would;
    ORM objects go through marshmallow."""

    item_schema: type

    def dump(self, obj, *, many=None):
        items = obj.get("items") if isinstance(obj, dict) and not many else None
        if not items or not isinstance(items[0], Row):
            return super().dump(obj, many=many)
        page = {"items": rows_dumper(self.item_schema)(items), "next_cursor": obj["next_cursor"]}
        if obj.get("total") is not None:
            page["total"] = int(obj["total"])
        elif "total" in obj:
            page["total"] = None
        return page


def page_schema(item_schema: type) -> type:
    """The {items, next_cursor, total} envelope of a list of item_schema, one named schema per item type."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _page_schemas:
        _page_schemas[name] = type(name, (PageSchema,), {
            "item_schema": item_schema,
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "next_cursor": ma.fields.String(allow_none=True, required=True),
            "total": ma.fields.Integer(),
        })
    return _page_schemas[name]
