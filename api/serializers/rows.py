"""List items dumped straight from database rows, by a plan compiled once from the item's schema.

A list page whose service selects exactly the columns its item schema shows (a SQLAlchemy Row per item,
each column labelled with the field's name) is dumped without marshmallow's per-field machinery: for each
field of the schema, in its order, the row's value through the one conversion that field type applies. The
schema stays the declaration (the OpenAPI document, the field order, data keys); this module only executes
it faster, and `tests/api/test_row_dump.py` holds it equal to `schema.dump` of the ORM objects for every
list that uses it. A field type without a conversion here is refused when the plan is compiled — add its
conversion (and a case to that test) rather than let marshmallow and this module disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import marshmallow as ma

from api.schemas.base import LocalDateTime
from services.timeutil import to_local


# The conversions marshmallow's fields apply on dump (also used by api/serializers/problem_detail.py).
def local_time(value):
    return None if value is None else to_local(value).isoformat()


def integer(value):
    return None if value is None else int(value)


def string(value):
    return None if value is None else str(value)


def same(value):
    return value  # marshmallow's Boolean (like its base Field) dumps the value as it is


def _conversion(name: str, field: ma.fields.Field) -> Callable:
    """The conversion marshmallow's own _serialize applies for this field (only those proven equal)."""
    kind = type(field)
    if kind._serialize is LocalDateTime._serialize:
        return local_time
    if kind._serialize is ma.fields.Boolean._serialize:
        return same
    if isinstance(field, ma.fields.Integer) and kind._serialize is ma.fields.Integer._serialize and not field.as_string:
        return integer
    if kind._serialize is ma.fields.String._serialize:  # NameOf too: it only changes where the value is read
        return string
    raise TypeError(f"{name}: {kind.__name__} has no row conversion (api/serializers/rows.py)")


# Conversions that leave a value of this type unchanged (None: any value): such a column is copied as it is.
_KEEPS = {integer: int, string: str, same: None}


@cache
def _plan(schema_cls: type[ma.Schema]) -> tuple[tuple[str, str, Callable], ...]:
    """(output key, attribute, conversion) of each field the schema dumps, in its order."""
    return tuple((field.data_key or name, name, _conversion(name, field))
                 for name, field in schema_cls().dump_fields.items())


@cache
def row_dumper(schema_cls: type[ma.Schema]) -> Callable[[object], dict]:
    """A function dumping one row as `schema_cls().dump(obj)` dumps the object the row was selected from."""
    plan = _plan(schema_cls)

    def dump(row) -> dict:
        return {key: convert(getattr(row, attribute)) for key, attribute, convert in plan}

    return dump


@cache
def rows_dumper(schema_cls: type[ma.Schema]) -> Callable[[list], list[dict]]:
    """A function dumping a page of rows as row_dumper does, faster when the rows' columns are the schema's
    fields in the schema's order (as a service selects them for its list): the values are zipped with the
    keys, and only the fields whose conversion changes a value (times) are converted. Whether the page is
    such is told by its first row (its column names, and each copied value None or of the field's type:
    a column gives one Python type); otherwise every row goes through row_dumper."""
    plan = _plan(schema_cls)
    keys = tuple(key for key, _, _ in plan)
    attributes = tuple(attribute for _, attribute, _ in plan)
    copied = tuple((index, _KEEPS[convert]) for index, (_, _, convert) in enumerate(plan)
                   if _KEEPS.get(convert) is not None)
    converted = tuple((key, convert) for key, _, convert in plan if convert not in _KEEPS)
    one = row_dumper(schema_cls)

    def zipped(row) -> bool:
        return tuple(getattr(row, "_fields", ())) == attributes and all(
            row[index] is None or type(row[index]) is kind for index, kind in copied)

    def dump(rows: list) -> list[dict]:
        if not rows or not zipped(rows[0]):
            return [one(row) for row in rows]
        items = [dict(zip(keys, row, strict=True)) for row in rows]
        for item in items:
            for key, convert in converted:
                item[key] = convert(item[key])
        return items

    return dump
