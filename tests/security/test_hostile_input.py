"""Every operation of the OpenAPI document, driven with the inputs an outside attacker sent: no 5xx.

Deep nesting, lone surrogates, huge integers, floats and strings where integers are expected, NUL bytes in
any query string, forged sync tokens and cursors — with and without a token, on both databases."""

import base64
import json
import re
from urllib.parse import quote

import pytest

from tests.conftest import login
from tests.security.probe import targets

# Signing out or changing the password would end the token used for the rest of the run.
SKIPPED = {("post", "/api/v1/auth/logout"), ("post", "/api/v1/me/password")}

DEEP = "[" * 1200 + "]" * 1200
HUGE = "9" * 5000
BIG = "9" * 4000  # parses as a Python int (under the 4,300-digit limit)


def _token(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


FORGED_TOKENS = [
    _token({}), _token([]), _token({"t": "9999-12-31T23:59:59"}), _token({"t": "0001-01-01T00:00:00+14:00"}),
    _token({"t": 12}), _token({"s": {}, "n": "x", "k": "y"}), _token({"s": _token({"t": "2026-01-01T00:00:00"}),
                                                                      "n": "2026-01-01T00:00:00", "k": [[1], 2]}),
    _token({"k": {"problems": "x"}}), _token({"k": {"problems": [1, 2]}}), _token({"k": {"problems": 10**30}}),
    _token({"t": "2026-01-01T00:00:00", "b": {"r": "admin", "g": [1], "e": {}}}), _token({"t": "2026-01-01", "b": 7}),
    _token([10**30, 1]), _token(["9999-99-99", 1]), _token([[1, 2], "a"]), _token(["x"] * 3), "%%%", "\x00",
]
# Percent-encoded as sent on the wire: NUL, a lone surrogate in UTF-8 form, invalid UTF-8, forged tokens.
QUERY_VALUES = ["%00", "a%00b", HUGE, "1.5", "-1", "%ED%A0%80", "%FF%FE", *(quote(t) for t in FORGED_TOKENS)]
# Raw JSON texts for one property: a lone surrogate, NUL, a 4,000-digit integer, a float and a string id.
PROPERTY_VALUES = ['"\\ud800"', '"a\\u0000b"', BIG, "1.5", '"1"', "1e400", '{"a":' * 200 + "1" + "}" * 200]


def _schema(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    for key in ("allOf", "oneOf", "anyOf"):
        if isinstance(node, dict) and node.get(key):
            merged = {"properties": {}}
            for part in node[key]:
                merged["properties"].update(_schema(spec, part).get("properties", {}))
            return merged
    return node or {}


def _operations(spec):
    for path, item in spec["paths"].items():
        if path.startswith("/api/v1/docs") or path == "/api/v1/openapi.json":
            continue
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete") and (method, path) not in SKIPPED:
                yield method, path, operation


def _bodies(spec, operation):
    content = (operation.get("requestBody") or {}).get("content", {})
    if "application/json" in content:
        schema = _schema(spec, content["application/json"].get("schema"))
        yield DEEP
        yield '{"a":"\\udfff"}'
        yield '{"a":' + HUGE + "}"
        for name in (schema.get("properties") or {}):
            for value in PROPERTY_VALUES:
                yield f'{{"{name}":{value}}}'


def _requests(spec, params):
    for method, path, operation in _operations(spec):
        concrete = re.sub(r"\{(\w+)\}", lambda m: str(params.get(m.group(1), 1)), path)
        headers = {"If-Match": '"1"', "Content-Type": "application/json"}
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query":
                for value in QUERY_VALUES:
                    yield method, f"{concrete}?{parameter['name']}={value}", {}, headers
        for raw in _bodies(spec, operation):
            yield method, concrete, {"data": raw.encode("utf-8", "surrogatepass")}, headers
        for name in re.findall(r"\{(\w+)\}", path):
            for value in ("1.5", HUGE[:30], "%00", "-1"):
                yield method, path.replace("{" + name + "}", value), {}, headers


@pytest.mark.slow
@pytest.mark.parametrize("username", ["admin", "dept_lxx_gxj", None])
def test_no_operation_answers_5xx_to_hostile_input(app, username):
    client = login(app.test_client(), username) if username else None
    raw = app.test_client()
    spec = raw.get("/api/v1/openapi.json").get_json()
    params = targets(app)
    failures = []
    sent = 0
    for method, path, kwargs, headers in _requests(spec, params):
        if client is not None:
            headers = {**headers, "Authorization": f"Bearer {client.token}"}
        response = raw.open(path, method=method.upper(), headers=headers, **kwargs)
        sent += 1
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {method.upper()} {path} {str(kwargs)[:160]} "
                            f"-> {response.get_data(as_text=True)[:200]}")
    assert sent > 1000
    assert not failures, f"{len(failures)} of {sent}:\n" + "\n".join(failures[:40])
