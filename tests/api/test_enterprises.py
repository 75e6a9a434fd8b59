"""Enterprises: registration rules, filters, pagination, ETag/If-Match and history."""

import pytest
from sqlalchemy import select

from services.credit_code import complete
from services.models import Enterprise

VALID = complete("91622921MA7Q12345")


def _new(region_id, **extra):
    return {"name": "临夏县新建测试有限公司", "credit_code": VALID, "entity_type": "enterprise", "scale": "small",
            "industry": "C", "region_id": region_id, "contact_phone": "13912345678", **extra}


def test_a_county_coordinator_registers_an_enterprise_in_its_county(login_as, demo):
    response = login_as("lxx_coord").post("enterprises", json=_new(demo.region_id("622921"), tags=["key"]))
    assert response.status_code == 201
    body = response.get_json()
    assert body["credit_code"] == VALID and body["tags"] == ["key"] and body["version"] == 1
    assert response.headers["ETag"] == '"1"'


def test_a_wrong_check_digit_is_refused(login_as, demo):
    wrong = VALID[:-1] + ("0" if VALID[-1] != "0" else "1")
    response = login_as("admin").post("enterprises", json=_new(demo.region_id("622921"), credit_code=wrong))
    assert response.status_code == 422
    assert "credit_code" in response.get_json()["errors"]


def test_a_duplicate_credit_code_conflicts(login_as, demo, db_session):
    existing = db_session.scalar(select(Enterprise.credit_code).limit(1))
    response = login_as("admin").post("enterprises", json=_new(demo.region_id("622921"), credit_code=existing))
    assert response.status_code == 409
    assert response.get_json()["code"] == "conflict"


def test_lowercase_credit_codes_are_normalised(login_as, demo):
    code = complete("91622921MA7QABCDE")
    response = login_as("admin").post("enterprises", json=_new(demo.region_id("622921"), credit_code=code.lower()))
    assert response.status_code == 201
    assert response.get_json()["credit_code"] == code


def test_a_coordinator_cannot_register_outside_its_subtree(login_as, demo):
    response = login_as("lxx_coord").post("enterprises", json=_new(demo.region_id("622922")))
    assert response.status_code == 404


def test_an_enterprise_belongs_to_a_county(login_as, demo):
    response = login_as("admin").post("enterprises", json=_new(demo.region_id("622900")))
    assert response.status_code == 422


@pytest.mark.parametrize("username", ["liaison_ma", "lx_viewer", "ent_qhy"])
def test_only_admins_and_coordinators_register(login_as, demo, username):
    assert login_as(username).post("enterprises", json=_new(demo.region_id("622921"))).status_code == 403


def test_if_none_match_gives_304(login_as, demo):
    session = login_as("lxx_coord")
    path = f"enterprises/{demo.enterprise_id('清河源')}"
    etag = session.get(path).headers["ETag"]
    cached = session.get(path, headers={"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.data == b""


def test_patch_without_if_match_is_428(login_as, demo):
    response = login_as("lxx_coord").patch(f"enterprises/{demo.enterprise_id('清河源')}", json={"employees": 1})
    assert response.status_code == 428


def test_patch_with_a_stale_version_is_412_and_changes_nothing(login_as, demo):
    session = login_as("lxx_coord")
    path = f"enterprises/{demo.enterprise_id('清河源')}"
    assert session.patch(path, json={"employees": 300}, headers={"If-Match": '"1"'}).status_code == 200
    stale = session.patch(path, json={"employees": 1}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.get_json()["code"] == "version_mismatch"
    assert session.get(path).get_json()["employees"] == 300


def test_patch_bumps_the_version_and_etag(login_as, demo):
    session = login_as("lxx_coord")
    path = f"enterprises/{demo.enterprise_id('清河源')}"
    response = session.patch(path, json={"address": "新地址"}, headers={"If-Match": '"1"'})
    assert response.get_json()["version"] == 2
    assert response.headers["ETag"] == '"2"'


def test_tag_and_status_changes_are_kept_as_history(login_as, demo):
    session = login_as("lxx_coord")
    enterprise_id = demo.enterprise_id("清河源")
    session.patch(f"enterprises/{enterprise_id}", json={"tags": ["key"], "operating_status": "halted"},
                  headers={"If-Match": '"1"'})
    history = session.get(f"enterprises/{enterprise_id}/history", query_string={"limit": 100}).get_json()["items"]
    changes = {(h["field"], h["old_value"], h["new_value"]) for h in history}
    assert ("operating_status", "resumed", "halted") in changes
    assert ("tag:above_scale", "added", None) in changes
    assert ("tag:provincial_guarantee", "added", None) in changes


@pytest.mark.parametrize(("query", "check"), [
    ({"industry": "A"}, lambda e: e["industry"] == "A"),
    ({"tag": "key"}, lambda e: "key" in e["tags"]),
    ({"operating_status": "halted"}, lambda e: e["operating_status"] == "halted"),
    ({"q": "超市"}, lambda e: "超市" in e["name"]),
])
def test_filters_return_only_matching_enterprises(login_as, query, check):
    items = login_as("admin").get("enterprises", query_string={**query, "limit": 100}).get_json()["items"]
    assert items and all(check(e) for e in items)


def test_region_filter_covers_the_subtree(login_as, demo):
    body = login_as("admin").get("enterprises", query_string={"region": demo.region_id("620100"), "count": "true"})
    assert body.get_json()["total"] == 2


def test_q_finds_by_exact_credit_code(login_as, db_session):
    code = db_session.scalar(select(Enterprise.credit_code).where(Enterprise.name.contains("燎原")))
    items = login_as("admin").get("enterprises", query_string={"q": code}).get_json()["items"]
    assert [i["credit_code"] for i in items] == [code]


def test_assigned_to_me_lists_the_liaisons_enterprises(login_as):
    body = login_as("liaison_li").get("enterprises", query_string={"assigned_to_me": "true", "count": "true"})
    assert body.get_json()["total"] == 3


def test_limit_above_100_is_a_validation_error(login_as):
    response = login_as("admin").get("enterprises", query_string={"limit": 101})
    assert response.status_code == 422
    assert "limit" in response.get_json()["errors"]


def test_a_garbage_cursor_is_a_validation_error(login_as):
    response = login_as("admin").get("enterprises", query_string={"cursor": "!!not-a-cursor"})
    assert response.status_code == 422


def test_pagination_walks_every_row_exactly_once_while_rows_are_inserted(login_as, demo):
    session = login_as("admin")
    before = session.get("enterprises", query_string={"count": "true", "limit": 1}).get_json()["total"]
    seen, cursor, inserted = [], None, 0
    while True:
        query = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        body = session.get("enterprises", query_string=query).get_json()
        seen += [item["id"] for item in body["items"]]
        code = complete(f"91622921MA7Q{inserted:05d}")
        assert session.post("enterprises", json=_new(demo.region_id("622921"), credit_code=code,
                                                     name=f"翻页插入{inserted}")).status_code == 201
        inserted += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == before
    assert seen == sorted(seen, reverse=True)


def test_count_reports_the_total(login_as):
    body = login_as("kl_coord").get("enterprises", query_string={"count": "true", "limit": 1}).get_json()
    assert body["total"] == 5 and len(body["items"]) == 1 and body["next_cursor"]
