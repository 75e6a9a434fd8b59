"""Photos of problems: uploaded like visit photos, listed on the problem with its visit's photos; an
upload retried with the same Idempotency-Key is the same request whatever its multipart boundary."""

import io
import json

from PIL import Image
from sqlalchemy import func, select

from services.models import Photo
from tests.services.test_visits import _jpeg_with_gps, _upload, _visit


def _count_photos(db_session) -> int:
    db_session.rollback()
    return db_session.scalar(select(func.count()).select_from(Photo))


def _visit_with_problem(session, demo) -> tuple[dict, int]:
    body = _visit(demo, problems=[{"category": "labor", "title": "缺熟练工", "scope": "county"}])
    visit = session.post("visits", json=body).get_json()
    return visit, visit["problem_ids"][0]


def test_a_problem_lists_its_own_photos_and_its_visits(login_as, demo):
    liaison = login_as("liaison_ma")
    visit, problem_id = _visit_with_problem(liaison, demo)
    on_visit = _upload(liaison, f"visits/{visit['id']}/photos", _jpeg_with_gps()).get_json()
    on_problem = _upload(liaison, f"problems/{problem_id}/photos", _jpeg_with_gps((400, 300))).get_json()
    photos = liaison.get(f"problems/{problem_id}").get_json()["photos"]
    assert [p["id"] for p in photos] == [on_visit["id"], on_problem["id"]]
    assert photos[1] == on_problem


def test_a_problem_without_photos_lists_none(login_as, demo):
    liaison = login_as("liaison_ma")
    _visit_obj, problem_id = _visit_with_problem(liaison, demo)
    assert liaison.get(f"problems/{problem_id}").get_json()["photos"] == []


def test_a_problem_photo_is_stripped_of_exif_and_has_a_thumbnail(login_as, demo):
    liaison = login_as("liaison_ma")
    _visit_obj, problem_id = _visit_with_problem(liaison, demo)
    photo = _upload(liaison, f"problems/{problem_id}/photos", _jpeg_with_gps()).get_json()
    original = Image.open(io.BytesIO(liaison.get(photo["url"]).data))
    assert len(original.getexif()) == 0
    assert max(Image.open(io.BytesIO(liaison.get(photo["thumbnail_url"]).data)).size) <= 320


def test_a_problem_photo_that_is_not_an_image_is_refused(login_as, demo):
    liaison = login_as("liaison_ma")
    _visit_obj, problem_id = _visit_with_problem(liaison, demo)
    response = _upload(liaison, f"problems/{problem_id}/photos", b"<?php system($_GET[1]); ?>", "x.jpg")
    assert response.status_code == 415


def test_a_problem_out_of_scope_answers_404_to_an_upload(login_as, demo):
    _visit_obj, problem_id = _visit_with_problem(login_as("liaison_ma"), demo)
    assert _upload(login_as("liaison_li"), f"problems/{problem_id}/photos", _jpeg_with_gps()).status_code == 404


def test_a_viewer_may_see_but_not_add_problem_photos(login_as, demo):
    _visit_obj, problem_id = _visit_with_problem(login_as("liaison_ma"), demo)
    assert _upload(login_as("lx_viewer"), f"problems/{problem_id}/photos", _jpeg_with_gps()).status_code == 403


def _post_photo(live_server, session, problem_id, data, key, name="现场.jpg"):
    return session.post(live_server.url + f"problems/{problem_id}/photos", headers={"Idempotency-Key": key},
                        files={"file": (name, data, "image/jpeg")})


def test_a_retried_upload_with_a_new_boundary_replays_the_first_response(live_server, demo, db_session):
    session = live_server.login("liaison_ma")
    visit = session.post(live_server.url + "visits", json=_visit(
        demo, problems=[{"category": "labor", "title": "缺熟练工", "scope": "county"}])).json()
    problem_id = visit["problem_ids"][0]
    before = _count_photos(db_session)
    data = _jpeg_with_gps()
    first = _post_photo(live_server, session, problem_id, data, "photo-retry-1")
    again = _post_photo(live_server, session, problem_id, data, "photo-retry-1")
    assert first.status_code == again.status_code == 201, again.text
    assert first.request.headers["Content-Type"] != again.request.headers["Content-Type"]  # two boundaries
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count_photos(db_session) == before + 1


def test_the_same_key_with_another_file_is_refused(live_server, demo):
    session = live_server.login("liaison_ma")
    visit = session.post(live_server.url + "visits", json=_visit(
        demo, problems=[{"category": "labor", "title": "缺熟练工", "scope": "county"}])).json()
    problem_id = visit["problem_ids"][0]
    assert _post_photo(live_server, session, problem_id, _jpeg_with_gps(), "photo-retry-2").status_code == 201
    other = _post_photo(live_server, session, problem_id, _jpeg_with_gps((640, 480)), "photo-retry-2")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_the_same_json_with_keys_in_another_order_is_the_same_request(login_as, demo, db_session):
    liaison = login_as("liaison_ma")
    fields = {"enterprise_id": demo.enterprise_id("清河源"), "category": "production", "title": "停电影响生产",
              "scope": "county"}
    forwards = json.dumps(fields, ensure_ascii=False)
    backwards = json.dumps(dict(reversed(list(fields.items()))), ensure_ascii=False, indent=2)
    headers = {"Idempotency-Key": "reordered", "Content-Type": "application/json"}
    first = liaison.post("problems", data=forwards.encode(), headers=headers)
    again = liaison.post("problems", data=backwards.encode(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]


def test_the_same_key_with_json_that_means_something_else_is_refused(login_as, demo):
    liaison = login_as("liaison_ma")
    body = {"enterprise_id": demo.enterprise_id("清河源"), "category": "production", "title": "停电影响生产",
            "scope": "county"}
    headers = {"Idempotency-Key": "changed"}
    assert liaison.post("problems", json=body, headers=headers).status_code == 201
    assert liaison.post("problems", json={**body, "urgency": "urgent"}, headers=headers).status_code == 422


def test_an_oversized_upload_with_a_key_is_refused_and_the_key_stays_free(login_as, demo):
    liaison = login_as("liaison_ma")
    _visit_obj, problem_id = _visit_with_problem(liaison, demo)
    headers = {"Idempotency-Key": "too-big"}
    big = liaison.post(f"problems/{problem_id}/photos", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"\xff" * (11 * 1024 * 1024)), "big.jpg", "image/jpeg")})
    assert big.status_code == 413
    fine = liaison.post(f"problems/{problem_id}/photos", headers=headers, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(_jpeg_with_gps()), "ok.jpg", "image/jpeg")})
    assert fine.status_code == 201


def test_the_enterprise_sees_the_visit_photo_listed_on_its_problem_but_not_the_visit(login_as, demo):
    liaison = login_as("liaison_ma")
    visit, problem_id = _visit_with_problem(liaison, demo)
    on_visit = _upload(liaison, f"visits/{visit['id']}/photos", _jpeg_with_gps()).get_json()
    enterprise = login_as("ent_qhy")
    assert on_visit["id"] in [p["id"] for p in enterprise.get(f"problems/{problem_id}").get_json()["photos"]]
    assert enterprise.get(on_visit["url"]).status_code == 200
    assert enterprise.get(f"visits/{visit['id']}").status_code in (403, 404)
    assert login_as("ent_bs").get(on_visit["url"]).status_code == 404


def test_a_visit_photo_stays_hidden_from_an_enterprise_when_no_problem_of_it_came_from_the_visit(login_as, demo):
    liaison = login_as("liaison_ma")
    visit = liaison.post("visits", json=_visit(demo)).get_json()
    photo = _upload(liaison, f"visits/{visit['id']}/photos", _jpeg_with_gps()).get_json()
    assert login_as("ent_qhy").get(photo["url"]).status_code == 404
