"""Keyset pagination: opaque cursors and the {items, next_cursor} envelope."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

import marshmallow as ma
from sqlalchemy import Select, func, select, tuple_

from api.schemas.base import BaseSchema
from services.db import db
from services.errors import ValidationFailed

MAX_LIMIT = 100


class ListArgsSchema(BaseSchema):
    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=MAX_LIMIT),
                              metadata={"description": "每页条数，1–100"})
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=512),
                              metadata={"description": "上一页返回的 next_cursor"})
    count = ma.fields.Boolean(load_default=False, metadata={"description": "为 true 时返回 total"})


_page_schemas: dict[str, type] = {}


def page_schema(item_schema: type) -> type:
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _page_schemas:
        _page_schemas[name] = type(name, (BaseSchema,), {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "next_cursor": ma.fields.String(allow_none=True, required=True),
            "total": ma.fields.Integer(),
        })
    return _page_schemas[name]


def _encode(values: list) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, kinds: list[type]) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError
        out = []
        for value, kind in zip(values, kinds, strict=True):
            if kind is datetime:
                out.append(datetime.fromisoformat(value))
            elif kind is int:
                if not isinstance(value, int) or isinstance(value, bool) or not -2**63 < value < 2**63:
                    raise ValueError
                out.append(value)
            else:
                out.append(kind(value))
        return out
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationFailed("分页游标无效", field="cursor") from None


def paginate(stmt: Select, *, limit: int = 20, cursor: str | None = None, count: bool = False,
             order_by=None, id_column=None, descending: bool = True) -> dict:
    """ORDER BY (order_by, id), newest first by default, continuing strictly after the cursor."""
    entity = stmt.column_descriptions[0]["entity"]
    id_column = id_column if id_column is not None else entity.id
    columns = [order_by, id_column] if order_by is not None else [id_column]
    kinds = [datetime if order_by is not None and _is_datetime(order_by) else int, int][-len(columns):]
    page = stmt
    if cursor:
        values = _decode(cursor, kinds)
        key = columns[0] if len(columns) == 1 else tuple_(*columns)
        bound = values[0] if len(columns) == 1 else tuple(values)
        page = page.where(key < bound if descending else key > bound)
    page = page.order_by(*[c.desc() if descending else c.asc() for c in columns]).limit(limit + 1)
    rows = list(db.session.scalars(page))
    more = len(rows) > limit
    rows = rows[:limit]
    result = {"items": rows, "next_cursor": None}
    if more and rows:
        last = rows[-1]
        result["next_cursor"] = _encode([getattr(last, c.key) for c in columns])
    if count:
        result["total"] = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return result


def _is_datetime(column) -> bool:
    try:
        return column.type.python_type is datetime
    except (NotImplementedError, AttributeError):
        return False


PAGING_KEYS = ("limit", "cursor", "count")


def split_paging(args: dict) -> tuple[dict, dict]:
    """(filters, paging) from parsed list arguments."""
    filters = {k: v for k, v in args.items() if k not in PAGING_KEYS}
    return filters, {k: args[k] for k in PAGING_KEYS if k in args}
