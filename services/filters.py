"""Shared list filters: one value or several (`?status=pending,in_progress` arrives as a list)."""

from __future__ import annotations

from collections.abc import Iterable


def one_of(column, values: str | Iterable[str] | None):
    """column = value for one value, column IN (…) for several; None when there is nothing to filter."""
    if values is None or values == "" or values == []:
        return None
    if isinstance(values, str):
        return column == values
    values = list(dict.fromkeys(values))
    return column == values[0] if len(values) == 1 else column.in_(values)


def where_one_of(stmt, column, values):
    """The statement narrowed to rows whose column is one of the values (unchanged when none are given)."""
    clause = one_of(column, values)
    return stmt if clause is None else stmt.where(clause)
