"""The published OpenAPI document describes every endpoint; Swagger UI is served locally."""

import re

import pytest


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def _operations(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def test_every_route_of_the_app_is_documented(app, spec):
    documented = {(re.sub(r"\{[^}]+\}", "{}", path), method.upper()) for path, method, _ in _operations(spec)}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "docs_assets") or rule.endpoint.startswith(("api-docs.", "web.")):
            continue
        path = re.sub(r"<[^>]+>", "{}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (path, method) not in documented:
                missing.append(f"{method} {path}")
    assert missing == []


def test_every_operation_has_a_summary_and_a_success_schema(spec):
    for path, method, operation in _operations(spec):
        assert operation.get("summary"), f"{method} {path} has no summary"
        successes = {k: v for k, v in operation["responses"].items() if k.startswith("2")}
        assert successes, f"{method} {path} documents no success"
        for status, response in successes.items():
            if status != "204" and "$ref" not in response:
                assert response.get("content"), f"{method} {path} {status} has no schema"


def test_every_summary_and_description_is_written_in_chinese(spec):
    """The document is read by the people who integrate with us: summaries and descriptions in Chinese."""
    def chinese(text):
        return any("\u4e00" <= ch <= "\u9fff" for ch in text)

    english = [f"{method} {path}" for path, method, operation in _operations(spec)
               if not chinese(operation.get("summary", "")) or not chinese(operation.get("description") or "中")]
    assert english == []


def test_error_responses_are_documented_as_problem_json(spec):
    for path, method, operation in _operations(spec):
        for status, response in operation["responses"].items():
            if (status == "default" or status[0] in "45") and "content" in response:
                assert set(response["content"]) == {"application/problem+json"}, f"{method} {path} {status}"


def test_write_bodies_refuse_unknown_fields_in_the_document_too(spec):
    create = spec["components"]["schemas"]["EnterpriseCreate"]
    assert "status" not in create["properties"] and "version" not in create["properties"]


def test_swagger_ui_loads_without_any_cdn(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in html
    assert not re.search(r"(src|href)=\"https?://", html)
    assert client.get("/api/v1/docs/assets/swagger-ui-bundle.js").status_code == 200
