"""List pages dumped from rows (api/serializers/rows.py) say exactly what the item schema says of the ORM objects.

The reference is marshmallow itself: the same problems loaded as ORM objects, as the list loaded them before it
selected columns, dumped by ProblemSummarySchema — for every demo account that sees problems, every problem it
sees, and through a real server with compression on."""

import marshmallow as ma
import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.pagination import page_schema
from api.schemas.base import BaseSchema, LocalDateTime, NameOf
from api.schemas.problems import ProblemSummarySchema
from api.serializers.rows import row_dumper
from services.db import db
from services.models import Problem

ACCOUNTS = ["gs_coord", "lx_coord", "lxx_coord", "kl_coord", "lx_viewer", "liaison_ma", "ent_qhy", "dept_lxx_gxj"]


def _reference(app, ids: list[int]) -> list[dict]:
    """ProblemSummarySchema's dump of those problems as ORM objects, in the order of `ids`."""
    with app.app_context():
        problems = db.session.scalars(select(Problem).where(Problem.id.in_(ids)).options(
            selectinload(Problem.enterprise), selectinload(Problem.owning_region),
            selectinload(Problem.department))).all()
        by_id = {p.id: ProblemSummarySchema().dump(p) for p in problems}
        db.session.remove()
    return [by_id[i] for i in ids]


def _all_pages(api, path: str, **query) -> tuple[list[dict], int]:
    items, cursor, pages = [], None, 0
    while True:
        response = api.get(path, query_string={**query, "limit": 7, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages


@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_ledger_row_an_account_sees_equals_the_schemas_dump_of_its_problem(app, login_as, username):
    api = login_as(username)
    items, _ = _all_pages(api, "problems")
    assert items, f"{username} sees no problem in the demo"
    assert items == _reference(app, [item["id"] for item in items])


@pytest.mark.parametrize("sort", ["due_at", "-closed_at", "number", "-accepted_at"])
def test_rows_in_every_sort_order_equal_the_schemas_dump_and_page_to_the_end(app, login_as, sort):
    api = login_as("gs_coord")
    items, pages = _all_pages(api, "problems", sort=sort)
    assert pages > 1
    assert len({item["id"] for item in items}) == len(items)
    assert items == _reference(app, [item["id"] for item in items])


def test_an_enterprises_problem_rows_equal_the_schemas_dump(app, login_as, demo):
    api = login_as("lxx_coord")
    enterprise_id = demo.enterprise_id("清河源")
    items, _ = _all_pages(api, f"enterprises/{enterprise_id}/problems")
    assert items and {item["enterprise_id"] for item in items} == {enterprise_id}
    assert items == _reference(app, [item["id"] for item in items])


def test_a_page_of_rows_has_the_envelope_marshmallow_gives_with_and_without_a_total(login_as):
    api = login_as("lx_coord")
    plain = api.get("problems", query_string={"limit": 2}).get_json()
    counted = api.get("problems", query_string={"limit": 2, "count": "true", "status": "pending,closed"}).get_json()
    assert set(plain) == {"items", "next_cursor"} and isinstance(plain["next_cursor"], str)
    assert set(counted) == {"items", "next_cursor", "total"} and isinstance(counted["total"], int)


def test_an_empty_page_of_rows_is_the_empty_envelope(login_as):
    body = login_as("gs_coord").get("problems", query_string={"q": "没有这样的问题标题"}).get_json()
    assert body == {"items": [], "next_cursor": None}


def test_rows_through_a_real_server_with_compression_equal_the_schemas_dump(app, live_server):
    import requests

    session = live_server.login("lx_coord")
    response = session.get(live_server.url + "problems", params={"limit": 50}, timeout=30)
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == "gzip"
    items = response.json()["items"]
    assert items == _reference(app, [item["id"] for item in items])
    assert requests.get(live_server.url + "problems", timeout=30).status_code == 401


# --- the plan compiled from a schema ----------------------------------------------------------------


class _Row:
    def __init__(self, **values):
        self.__dict__.update(values)


class _Sample(BaseSchema):
    id = ma.fields.Integer()
    flag = ma.fields.Boolean(data_key="isFlag")
    title = ma.fields.String(allow_none=True)
    owner_name = NameOf("owner.name")
    at = LocalDateTime(allow_none=True)


def test_the_row_plan_keeps_the_schemas_field_order_and_data_keys():
    from datetime import datetime, timezone

    row = _Row(id=3, flag=True, title="标题", owner_name="临夏县", at=datetime(2026, 3, 1, 1, 30, tzinfo=timezone.utc))
    dumped = row_dumper(_Sample)(row)
    assert list(dumped) == ["id", "isFlag", "title", "owner_name", "at"]
    assert dumped == {"id": 3, "isFlag": True, "title": "标题", "owner_name": "临夏县", "at": "2026-03-01T09:30:00+08:00"}


def test_a_boolean_is_dumped_as_it_is_stored_as_marshmallow_does():
    row = _Row(id=1, flag=1, title=None, owner_name=None, at=None)
    assert row_dumper(_Sample)(row)["isFlag"] == 1 == _Sample().dump({"flag": 1})["isFlag"]


def test_the_row_plan_gives_null_for_missing_values_as_marshmallow_does():
    row = _Row(id=None, flag=None, title=None, owner_name=None, at=None)
    assert row_dumper(_Sample)(row) == {"id": None, "isFlag": None, "title": None, "owner_name": None, "at": None}


def test_a_field_type_without_a_row_conversion_is_refused_when_the_plan_is_compiled():
    class _Unsupported(BaseSchema):
        id = ma.fields.Integer()
        amount = ma.fields.Decimal()

    with pytest.raises(TypeError, match="amount: Decimal"):
        row_dumper(_Unsupported)


def test_an_integer_dumped_as_a_string_is_refused_rather_than_dumped_as_a_number():
    class _AsString(BaseSchema):
        id = ma.fields.Integer(as_string=True)

    with pytest.raises(TypeError, match="id: Integer"):
        row_dumper(_AsString)


def test_a_page_of_objects_still_goes_through_marshmallow():
    schema = page_schema(_Sample)()
    page = {"items": [_Row(id=1, flag=False, title=None, owner=None, at=None)], "next_cursor": None}
    assert schema.dump(page) == {"items": [{"id": 1, "isFlag": False, "title": None, "owner_name": None, "at": None}],
                                 "next_cursor": None}


def _sample_row(**values):
    from collections import namedtuple

    return namedtuple("Row", list(values))(**values)


SAMPLE = dict(id=3, flag=True, title="标题", owner_name="临夏县", at=None)


def test_a_page_whose_columns_are_the_schemas_fields_in_order_is_zipped_to_the_same_items():
    from datetime import datetime, timezone

    from api.serializers.rows import rows_dumper

    rows = [_sample_row(**SAMPLE), _sample_row(**{**SAMPLE, "id": 4, "title": None,
                                                  "at": datetime(2026, 3, 1, 16, 0, tzinfo=timezone.utc)})]
    assert rows_dumper(_Sample)(rows) == [row_dumper(_Sample)(row) for row in rows]
    assert rows_dumper(_Sample)(rows)[1]["at"] == "2026-03-02T00:00:00+08:00"


def test_a_page_whose_columns_are_in_another_order_goes_row_by_row():
    from api.serializers.rows import rows_dumper

    reordered = _sample_row(title="标题", id=3, flag=True, owner_name="临夏县", at=None)
    assert rows_dumper(_Sample)([reordered]) == [{"id": 3, "isFlag": True, "title": "标题", "owner_name": "临夏县",
                                                 "at": None}]


def test_a_page_whose_values_are_not_of_the_fields_types_is_converted_as_marshmallow_converts():
    from api.serializers.rows import rows_dumper

    stored_as_numbers = _sample_row(**{**SAMPLE, "flag": 1, "title": 42, "owner_name": None})
    assert rows_dumper(_Sample)([stored_as_numbers]) == [{"id": 3, "isFlag": 1, "title": "42", "owner_name": None,
                                                          "at": None}]
    assert rows_dumper(_Sample)([stored_as_numbers]) == [_Sample().dump(stored_as_numbers._asdict())]
