"""Visits from phones: nested problems in one transaction, observations with history, scope."""

import io
from datetime import datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from services.models import EnterpriseChange, Problem, Visit
from services.timeutil import zone


def _now(**delta):
    return (datetime.now(zone()) - timedelta(**delta)).isoformat()


def _visit(demo, enterprise="清河源", **extra):
    return {"enterprise_id": demo.enterprise_id(enterprise), "method": "on_site", "visited_at": _now(hours=1),
            "summary": "走访生产车间", "latitude": 35.6, "longitude": 103.2, "accuracy_m": 12, **extra}


def _count(db_session, model):
    db_session.rollback()
    return db_session.scalar(select(func.count()).select_from(model))


def test_a_visit_files_its_problems_in_one_go(login_as, demo):
    body = _visit(demo, problems=[
        {"category": "labor", "title": "缺熟练工", "scope": "county"},
        {"category": "logistics", "title": "原料运输受阻", "scope": "cross_county", "urgency": "urgent"},
    ])
    response = login_as("liaison_ma").post("visits", json=body)
    assert response.status_code == 201
    visit = response.get_json()
    assert len(visit["problem_ids"]) == 2
    problem = login_as("lxx_coord").get(f"problems/{visit['problem_ids'][1]}").get_json()
    assert (problem["status"], problem["level"], problem["source"], problem["visit_id"]) == (
        "pending", "county", "liaison", visit["id"])


def test_an_invalid_nested_problem_stores_nothing(login_as, demo, db_session):
    visits, problems = _count(db_session, Visit), _count(db_session, Problem)
    body = _visit(demo, problems=[{"category": "labor", "title": "缺工", "scope": "county"},
                                  {"category": "nonsense", "title": "", "scope": "county"}])
    response = login_as("liaison_ma").post("visits", json=body)
    assert response.status_code == 422
    assert "problems.1.category" in response.get_json()["errors"]
    assert (_count(db_session, Visit), _count(db_session, Problem)) == (visits, problems)


def test_observations_update_the_enterprise_with_history(login_as, demo, db_session):
    response = login_as("liaison_ma").post("visits", json=_visit(demo, operating_status="partial", employees=200))
    assert response.status_code == 201
    enterprise = login_as("lxx_coord").get(f"enterprises/{demo.enterprise_id('清河源')}").get_json()
    assert (enterprise["operating_status"], enterprise["employees"]) == ("partial", 200)
    db_session.rollback()
    sources = set(db_session.scalars(select(EnterpriseChange.source).where(
        EnterpriseChange.enterprise_id == demo.enterprise_id("清河源"), EnterpriseChange.field == "employees")))
    assert "visit" in sources


def test_a_liaison_cannot_file_for_an_enterprise_not_assigned_to_it(login_as, demo):
    assert login_as("liaison_ma").post("visits", json=_visit(demo, "百盛超市")).status_code == 404


def test_a_viewer_in_scope_may_not_file_visits(login_as, demo):
    assert login_as("lx_viewer").post("visits", json=_visit(demo)).status_code == 403


def test_an_ended_assignment_no_longer_allows_visits(login_as, demo):
    assert login_as("liaison_ma").post("visits", json=_visit(demo, "马家牛肉面馆")).status_code == 404


def test_a_coordinator_in_scope_files_a_visit(login_as, demo):
    assert login_as("lxx_coord").post("visits", json=_visit(demo)).status_code == 201


def test_a_visit_in_the_future_is_refused(login_as, demo):
    future = (datetime.now(zone()) + timedelta(days=1)).isoformat()
    response = login_as("liaison_ma").post("visits", json=_visit(demo, visited_at=future))
    assert response.status_code == 422 and "visited_at" in response.get_json()["errors"]


def test_visits_are_listed_in_scope_and_filtered(login_as, demo):
    liaison = login_as("liaison_ma")
    liaison.post("visits", json=_visit(demo))
    mine = login_as("liaison_li").post("visits", json=_visit(demo, "百盛超市"))
    assert mine.status_code == 201
    items = liaison.get("visits", query_string={"limit": 100}).get_json()["items"]
    assert mine.get_json()["id"] not in [v["id"] for v in items]
    filtered = login_as("lx_coord").get("visits", query_string={"enterprise": demo.enterprise_id("百盛超市")})
    assert {v["enterprise_id"] for v in filtered.get_json()["items"]} == {demo.enterprise_id("百盛超市")}
    assert login_as("ent_qhy").get(f"visits/{mine.get_json()['id']}").status_code == 404


def test_a_visit_answers_304_when_unchanged(login_as, demo):
    liaison = login_as("liaison_ma")
    visit = liaison.post("visits", json=_visit(demo)).get_json()
    etag = liaison.get(f"visits/{visit['id']}").headers["ETag"]
    assert liaison.get(f"visits/{visit['id']}", headers={"If-None-Match": etag}).status_code == 304


def test_large_lists_are_gzip_compressed(login_as):
    response = login_as("lx_coord").get("enterprises", query_string={"limit": 50},
                                        headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"


def test_small_bodies_are_not_compressed(client):
    assert "Content-Encoding" not in client.get("/healthz", headers={"Accept-Encoding": "gzip"}).headers


# --- photos --------------------------------------------------------------------------------------

def _jpeg_with_gps(size=(800, 600)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x8825] = {2: (35.0, 36.0, 0.0), 4: (103.0, 12.0, 0.0)}  # GPSInfo
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _upload(session, path, data, name="photo.jpg", content_type="image/jpeg"):
    return session.post(path, data={"file": (io.BytesIO(data), name, content_type)},
                        content_type="multipart/form-data")


@pytest.fixture
def visit(login_as, demo):
    return login_as("liaison_ma").post("visits", json=_visit(demo)).get_json()


def test_a_photo_is_stored_without_exif_and_with_a_thumbnail(login_as, visit):
    liaison = login_as("liaison_ma")
    uploaded = _upload(liaison, f"visits/{visit['id']}/photos", _jpeg_with_gps())
    assert uploaded.status_code == 201
    photo = uploaded.get_json()
    original = Image.open(io.BytesIO(liaison.get(photo["url"]).data))
    assert original.format == "JPEG" and len(original.getexif()) == 0
    thumbnail = Image.open(io.BytesIO(liaison.get(photo["thumbnail_url"]).data))
    assert max(thumbnail.size) <= 320


def test_a_script_renamed_jpg_is_refused(login_as, visit):
    response = _upload(login_as("liaison_ma"), f"visits/{visit['id']}/photos", b"#!/bin/sh\nrm -rf /\n", "x.jpg")
    assert response.status_code == 415
    assert response.get_json()["code"] == "unsupported_media_type"


def test_other_image_types_are_refused(login_as, visit):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    assert _upload(login_as("liaison_ma"), f"visits/{visit['id']}/photos", out.getvalue(), "x.png",
                   "image/png").status_code == 415


def test_an_oversized_upload_is_refused(login_as, visit):
    response = _upload(login_as("liaison_ma"), f"visits/{visit['id']}/photos", b"\xff" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.get_json()["code"] == "payload_too_large"


def test_photos_are_served_only_within_scope(login_as, visit):
    photo = _upload(login_as("liaison_ma"), f"visits/{visit['id']}/photos", _jpeg_with_gps()).get_json()
    assert login_as("lxx_coord").get(photo["url"]).status_code == 200
    for outsider in ("liaison_li", "kl_coord", "ent_bs"):
        assert login_as(outsider).get(photo["url"]).status_code == 404
        assert login_as(outsider).get(photo["thumbnail_url"]).status_code == 404


def test_an_enterprise_adds_a_photo_to_its_own_problem(login_as, demo):
    problem = login_as("ent_qhy").post("problems", json={"enterprise_id": demo.enterprise_id("清河源"),
                                                         "category": "production", "title": "设备损坏",
                                                         "scope": "county"}).get_json()
    png = io.BytesIO()
    Image.new("RGB", (50, 50)).save(png, "PNG")
    response = _upload(login_as("ent_qhy"), f"problems/{problem['id']}/photos", png.getvalue(), "a.png", "image/png")
    assert response.status_code == 201
    assert _upload(login_as("ent_bs"), f"problems/{problem['id']}/photos", png.getvalue(), "a.png",
                   "image/png").status_code == 404
