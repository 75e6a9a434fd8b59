"""The shared input path: what any request may carry before a schema sees it.

One place for the rules an outside attacker probes: JSON depth, lone surrogates and NUL characters in any
string, integer literals too long for a database column, NUL bytes and broken UTF-8 in query strings and
paths, and strict integers in JSON bodies (``1.5`` and ``"1"`` are not ids)."""

from __future__ import annotations

import json
from functools import cache
import re
from contextvars import ContextVar

import marshmallow as ma
from marshmallow import fields
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from services.errors import MalformedInput

MAX_DEPTH = 32
MAX_INT_DIGITS = 19  # a BIGINT; longer literals are never a valid value of this API
INT_MAX = 2_147_483_647  # every integer the API takes fits a 32-bit column

_SURROGATE_OR_NUL = re.compile("[\ud800-\udfff\x00]")
_strict_numbers: ContextVar[bool] = ContextVar("strict_numbers", default=False)


class UnsafeInput(ValueError):
    """A body or query string that no schema should be asked to read (answered 400/422)."""


def _parse_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INT_DIGITS:
        raise UnsafeInput("数值位数过多")
    return int(literal)


def _refuse_constant(name: str):
    raise UnsafeInput(f"不支持的数值 {name}")


def loads(text: str | bytes):
    """json.loads with the rules above; raises json.JSONDecodeError-compatible UnsafeInput."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise UnsafeInput("请求体不是合法的 UTF-8") from None
    try:
        value = json.loads(text, parse_int=_parse_int, parse_constant=_refuse_constant)
    except RecursionError:
        raise UnsafeInput("JSON 嵌套层级过深") from None
    _check_tree(value)
    return value


def _check_tree(value) -> None:
    """Depth and string content, walked without recursion."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if _SURROGATE_OR_NUL.search(node):
                raise UnsafeInput("字符串包含非法字符（NUL 或不成对的代理项）")
        elif isinstance(node, (dict, list)):
            if depth > MAX_DEPTH:
                raise UnsafeInput(f"JSON 嵌套不能超过 {MAX_DEPTH} 层")
            items = node.items() if isinstance(node, dict) else ((None, v) for v in node)
            for key, child in items:
                if key is not None:
                    stack.append((key, depth))
                stack.append((child, depth + 1))


def unsafe_text(value: str) -> bool:
    """A query-string value or path that no query may carry (NUL; werkzeug keeps broken UTF-8 as text)."""
    return bool(_SURROGATE_OR_NUL.search(value))


class Parser(FlaskParser):
    """webargs' parser with the safe JSON loader and strict integers in bodies."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        try:
            return loads(req.get_data(cache=True))
        except UnsafeInput as error:
            raise MalformedInput(f"请求体不是合法的 JSON：{error}") from None
        except ValueError:
            raise MalformedInput() from None

    def _get_schema(self, argmap, req):
        # flask-smorest hands over the schema class of every @blp.arguments: webargs would build an
        # instance per request; one instance per class serves them all (loading keeps no state on it).
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            return _schema_instance(argmap)
        return super()._get_schema(argmap, req)

    def parse(self, argmap, req=None, *, location=None, **kwargs):
        token = _strict_numbers.set(location in (None, "json", "json_or_form"))
        try:
            return super().parse(argmap, req, location=location, **kwargs)
        finally:
            _strict_numbers.reset(token)


@cache
def _schema_instance(schema_cls: type) -> ma.Schema:
    return schema_cls()


_validated = fields.Integer._validated


def _strict_integer(self, value):
    if _strict_numbers.get() and (not isinstance(value, int) or isinstance(value, bool)):
        raise self.make_error("invalid")
    number = _validated(self, value)
    if number is not None and not -INT_MAX <= number <= INT_MAX:
        raise self.make_error("too_large")
    return number


def install() -> None:
    """Bind the rules: flask-smorest parses every @blp.arguments with our parser; Integer is strict in bodies."""
    from flask_smorest.arguments import ArgumentsMixin

    ArgumentsMixin.ARGUMENTS_PARSER = Parser()
    fields.Integer._validated = _strict_integer
