"""Keyset pagination: opaque cursors, the {items, next_cursor} envelope, and per-list sort keys.

A list that sorts declares its allow-list with `Sorts(default, key=column, …)`; `?sort=key` is
ascending, `?sort=-key` descending, and the row id breaks ties in the same direction, so the order is
total and a keyset cursor continues it exactly. Empty values (NULL) come last in either direction.
The cursor carries the sort it was made for and the last row's key values: a cursor used with
another `sort` is refused (422), never silently misread.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone

import marshmallow as ma
from sqlalchemy import Select, and_, case, false, func, literal, or_, select

from api.schemas.base import BaseSchema
from services.db import db
from services.errors import ValidationFailed

MAX_LIMIT = 100


class ListArgsSchema(BaseSchema):
    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=MAX_LIMIT),
                              metadata={"description": "每页条数，1–100"})
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=1024),
                              metadata={"description": "上一页返回的 next_cursor（须与同一 sort 一起使用）"})
    count = ma.fields.Boolean(load_default=False, metadata={"description": "为 true 时返回 total"})


class Sorts:
    """The sort keys one list allows: public key → column of the listed entity."""

    def __init__(self, default: str, **columns):
        assert default.lstrip("-") in columns, default
        self.default = default
        self.columns = columns

    @property
    def choices(self) -> list[str]:
        return [token for key in self.columns for token in (key, f"-{key}")]

    def field(self) -> ma.fields.String:
        keys = "、".join(self.columns)
        return ma.fields.String(
            load_default=self.default, validate=ma.validate.OneOf(self.choices),
            metadata={"description": f"排序：{keys}；前加 - 为降序；默认 {self.default}；空值排在最后",
                      "enum": self.choices, "example": self.default})


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


@dataclass
class _Key:
    expression: object
    attribute: str
    kind: type
    descending: bool
    role: str = "value"  # "value", "is_null" (the NULLs-last flag) or "coalesced" (the value, NULL → sentinel)


_SENTINELS = {datetime: datetime(1900, 1, 1, tzinfo=timezone.utc), date: date(1900, 1, 1), int: 0, float: 0.0,
              str: ""}


def _python_type(column) -> type:
    column_type = column.type
    column_type = getattr(column_type, "impl_instance", column_type)  # a TypeDecorator: its impl's type
    try:
        return column_type.python_type
    except (NotImplementedError, AttributeError):
        return str


def _keys(column, id_column, descending: bool) -> list[_Key]:
    keys = []
    if column is not None and column is not id_column:
        kind = _python_type(column)
        kind = kind if kind in _SENTINELS else str
        if getattr(column, "nullable", True) and not getattr(column, "primary_key", False):
            keys.append(_Key(case((column.is_(None), 1), else_=0), column.key, int, False, "is_null"))
            keys.append(_Key(func.coalesce(column, literal(_SENTINELS[kind], type_=column.type)), column.key, kind,
                             descending, "coalesced"))
        else:
            keys.append(_Key(column, column.key, kind, descending))
    keys.append(_Key(id_column, id_column.key, int, descending))
    return keys


def _row_value(row, key: _Key):
    value = getattr(row, key.attribute)
    if key.role == "is_null":
        return int(value is None)
    if key.role == "coalesced" and value is None:
        return _SENTINELS[key.kind]
    return value


def _encode(sort: str, values: list) -> str:
    raw = json.dumps([sort, *[v.isoformat() if isinstance(v, (date, datetime)) else v for v in values]],
                     separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_value(value, kind: type):
    if kind is datetime:
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    if kind is date:
        return date.fromisoformat(value)
    if kind is int:
        if not isinstance(value, int) or isinstance(value, bool) or not -2**63 < value < 2**63:
            raise ValueError
        return value
    if kind is float:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ValueError
        return float(value)
    if not isinstance(value, str):
        raise ValueError
    return value


def _decode(cursor: str, sort: str, keys: list[_Key]) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(values, list) or len(values) != len(keys) + 1:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationFailed("分页游标无效", field="cursor") from None
    if values[0] != sort:
        raise ValidationFailed("分页游标属于另一种排序，请与生成它的 sort 一起使用", field="cursor")
    try:
        return [_decode_value(value, key.kind) for value, key in zip(values[1:], keys, strict=True)]
    except (ValueError, TypeError):
        raise ValidationFailed("分页游标无效", field="cursor") from None


def _after(keys: list[_Key], values: list):
    """Rows strictly after the cursor in the (mixed-direction) order of `keys`."""
    clauses = []
    for i, key in enumerate(keys):
        step = key.expression < values[i] if key.descending else key.expression > values[i]
        clauses.append(and_(*[keys[j].expression == values[j] for j in range(i)], step))
    return or_(false(), *clauses)


def paginate(stmt: Select, *, limit: int = 20, cursor: str | None = None, count: bool = False,
             sort: str | None = None, sorts: Sorts | None = None, order_by=None, id_column=None,
             descending: bool = True) -> dict:
    """One page of `stmt`. With `sorts`, in the order `sort` names (default: the list's default);
    without, ORDER BY (order_by, id), newest first by default."""
    entity = stmt.column_descriptions[0]["entity"]
    id_column = id_column if id_column is not None else entity.id
    if sorts is not None:
        sort = sort or sorts.default
        descending = sort.startswith("-")
        order_by = sorts.columns[sort.lstrip("-")]
    else:
        sort = ("-" if descending else "") + (order_by.key if order_by is not None else "id")
    keys = _keys(order_by, id_column, descending)
    page = stmt
    if cursor:
        page = page.where(_after(keys, _decode(cursor, sort, keys)))
    page = page.order_by(*[k.expression.desc() if k.descending else k.expression.asc() for k in keys])
    rows = list(db.session.scalars(page.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    result = {"items": rows, "next_cursor": None}
    if more and rows:
        result["next_cursor"] = _encode(sort, [_row_value(rows[-1], k) for k in keys])
    if count:
        result["total"] = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return result


PAGING_KEYS = ("limit", "cursor", "count", "sort")


def split_paging(args: dict) -> tuple[dict, dict]:
    """(filters, paging) from parsed list arguments."""
    filters = {k: v for k, v in args.items() if k not in PAGING_KEYS}
    return filters, {k: args[k] for k in PAGING_KEYS if k in args}
