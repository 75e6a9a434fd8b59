"""The JSON provider (api/json_provider.py): orjson, writing what the standard library wrote."""

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
import requests

from api.json_provider import OrjsonProvider


@dataclass
class Point:
    x: int
    label: str


SAMPLES = [
    {"title": "融资难：流动资金缺口 300 万", "n": 3, "rate": 0.125, "none": None, "ok": True},
    [1, 2.5, "三", {"嵌套": [{"a": 1}]}],
    {1: "int key", "b": [], "c": {}},
    {"when": datetime(2026, 12, 1, 8, 30, tzinfo=timezone.utc), "day": date(2026, 12, 1)},
    {"amount": Decimal("12.50"), "id": uuid.UUID(int=7), "point": Point(1, "甲")},
    "纯文本",
]


def _standard(app, obj) -> str:
    return json.dumps(obj, default=app.json.default, ensure_ascii=False, separators=(",", ":"))


def test_the_app_uses_the_orjson_provider(app):
    assert isinstance(app.json, OrjsonProvider)


@pytest.mark.parametrize("obj", SAMPLES)
def test_dumps_writes_what_the_standard_library_writes(app, obj):
    assert json.loads(app.json.dumps(obj)) == json.loads(_standard(app, obj))


def test_dates_keep_flasks_http_date(app):
    assert app.json.dumps({"day": date(2026, 12, 1)}) == '{"day":"Tue, 01 Dec 2026 00:00:00 GMT"}'


def test_an_unknown_type_is_still_a_type_error(app):
    with pytest.raises(TypeError):
        app.json.dumps({"x": object()})


def test_asking_for_indentation_falls_back_to_the_standard_library(app):
    assert app.json.dumps({"a": 1}, indent=2) == '{\n  "a": 1\n}'


def test_a_response_is_utf8_json_with_a_final_newline(app):
    with app.test_request_context():
        response = app.json.response({"标题": "企业"})
    assert response.mimetype == "application/json"
    assert response.get_data() == '{"标题":"企业"}\n'.encode()


def test_through_a_real_server_chinese_text_arrives_as_utf8(live_server):
    session = live_server.login("lxx_coord")
    response = session.get(live_server.url + "problems?limit=5")
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    body = response.content.decode("utf-8")
    assert "\\u" not in body  # not escaped: a third of the bytes on a phone's network
    items = response.json()["items"]
    assert items and any(any("\u4e00" <= ch <= "\u9fff" for ch in item["title"]) for item in items)
    assert requests.get(live_server.url + "problems").status_code == 401
