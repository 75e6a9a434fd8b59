"""Every error is RFC 9457 problem+json with a machine code and a Chinese detail."""

import pytest
from flask import Blueprint


def _is_problem(response, status, code):
    body = response.get_json(force=True)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert body["status"] == status and body["code"] == code
    assert {"type", "title", "detail"} <= set(body)
    return body


def test_unknown_route_is_a_404_problem(client):
    _is_problem(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_wrong_method_is_a_405_problem_with_allow(login_as):
    response = login_as("admin").delete("me")
    _is_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_a_400_problem(client):
    response = client.raw.post("/api/v1/auth/login", data="{not json", content_type="application/json")
    _is_problem(response, 400, "invalid_json")


def test_a_body_that_is_not_json_is_unsupported(client):
    response = client.raw.post("/api/v1/auth/login", data="username=a", content_type="application/x-www-form-urlencoded")
    _is_problem(response, 415, "unsupported_media_type")


def test_a_json_body_over_one_megabyte_is_refused(client):
    big = '{"username": "' + "a" * (1024 * 1024 + 10) + '"}'
    response = client.raw.post("/api/v1/auth/login", data=big, content_type="application/json")
    _is_problem(response, 413, "payload_too_large")


def test_validation_errors_name_each_field_in_chinese(login_as):
    response = login_as("admin").post("enterprises", json={"name": "", "scale": "huge", "employees": "many"})
    body = _is_problem(response, 422, "validation_error")
    assert body["errors"]["scale"] == ["取值须为以下之一：large, medium, small, micro"]
    assert body["errors"]["employees"] == ["须为整数"]
    assert body["errors"]["credit_code"] == ["必填字段"]


def test_unknown_fields_are_refused(login_as):
    response = login_as("admin").post("enterprises", json={"name": "x", "hacker": True})
    body = _is_problem(response, 422, "validation_error")
    assert body["errors"]["hacker"] == ["未知字段"]


@pytest.mark.parametrize("path", ["enterprises/9223372036854775808", "enterprises/-1", "enterprises/abc"])
def test_absurd_ids_are_not_found(login_as, path):
    _is_problem(login_as("admin").get(path), 404, "not_found")


def test_an_unexpected_exception_is_a_500_problem_without_a_trace(make_app):
    app = make_app()
    broken = Blueprint("broken", __name__)

    @broken.route("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.register_blueprint(broken)
    from api.auth import PUBLIC_ENDPOINTS

    PUBLIC_ENDPOINTS.add("broken.boom")
    try:
        response = app.test_client().get("/api/v1/boom")
    finally:
        PUBLIC_ENDPOINTS.discard("broken.boom")
    body = _is_problem(response, 500, "internal_error")
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in body["detail"]


def test_chinese_text_is_not_escaped(login_as):
    raw = login_as("admin").get("meta/enums").get_data(as_text=True)
    assert "待受理" in raw


def test_request_id_is_echoed_or_generated(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32


def test_a_forged_request_id_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert response.headers["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(response.headers["X-Request-ID"]) == 32
