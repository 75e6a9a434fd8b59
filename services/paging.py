"""Keyset pagination: opaque cursors, the {items, next_cursor} envelope, and per-list sort keys.

A list that sorts declares its allow-list with `Sorts(default, key=column, …)` (services/sorts.py);
`?sort=key` is ascending, `?sort=-key` descending, and the row id breaks ties in the same direction, so the
order is total and a keyset cursor continues it exactly. Empty values (NULL) come last in either direction.
The cursor carries the sort it was made for and the last row's key values: a cursor used with another
`sort` is refused (422), never silently misread. Services page their lists here (`paged`); the HTTP layer
only parses the arguments and documents the envelope (api/pagination.py).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import Select, and_, case, false, func, literal, or_, select

from services.db import db
from services.errors import ValidationFailed

MAX_LIMIT = 100
PAGING_KEYS = ("limit", "cursor", "count", "sort")


class Sorts:
    """The sort keys one list allows: public key → column of the listed entity."""

    def __init__(self, default: str, **columns):
        assert default.lstrip("-") in columns, default
        self.default = default
        self.columns = columns

    @property
    def choices(self) -> list[str]:
        """Every accepted value of `sort`: each key ascending and descending."""
        return [token for key in self.columns for token in (key, f"-{key}")]


@dataclass
class _Key:
    expression: object
    attribute: str
    kind: type
    descending: bool
    part: str = "value"  # "value", "is_null" (the NULLs-last flag) or "coalesced" (the value, NULL → sentinel)


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
    if key.part == "is_null":
        return int(value is None)
    if key.part == "coalesced" and value is None:
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
             descending: bool = True, columns: tuple | None = None) -> dict:
    """One page of `stmt`. With `sorts`, in the order `sort` names (default: the list's default);
    without, ORDER BY (order_by, id), newest first by default. With `columns`, the page's items are rows of
    those columns (labelled, including every sort key's column) instead of the entities `stmt` selects; the
    total still counts `stmt`."""
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
    if columns is None:
        rows = list(db.session.scalars(page.limit(limit + 1)))
    else:
        # Through the session's connection: the same transaction, plain rows without the ORM's loading.
        rows = db.session.connection().execute(page.with_only_columns(*columns).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    result = {"items": rows, "next_cursor": None}
    if more and rows:
        result["next_cursor"] = _encode(sort, [_row_value(rows[-1], k) for k in keys])
    if count:
        result["total"] = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return result


def split_paging(args: dict) -> tuple[dict, dict]:
    """(filters, paging) from parsed list arguments."""
    filters = {k: v for k, v in args.items() if k not in PAGING_KEYS}
    return filters, {k: args[k] for k in PAGING_KEYS if k in args}


def paged(build: Callable[..., Select], sorts: Sorts | None = None, /, **args) -> dict:
    """One page of the list `build(**filters)` makes, args being its filters plus limit, cursor, count and sort.
    Raises ValidationFailed (a cursor that is not ours or belongs to another sort)."""
    filters, paging = split_paging(args)
    return paginate(build(**filters), sorts=sorts, **paging)
