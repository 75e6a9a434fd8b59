"""The shared input path: each hostile input an outside test sent is refused with a 4xx, not a 500."""

import http.client
import json
from urllib.parse import urlsplit

import pytest

def assignment(user_id: str, enterprise_id: str = "1") -> str:
    return '{"user_id": ' + user_id + ', "enterprise_id": ' + enterprise_id + "}"


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def _post_raw(client, path, raw: str):
    return client.post(path, data=raw.encode("utf-8", "surrogatepass"), headers={"Content-Type": "application/json"})


def test_json_nested_a_thousand_levels_deep_is_a_400(admin):
    response = _post_raw(admin, "assignments", "[" * 1500 + "]" * 1500)
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid_json"


def test_json_nested_beyond_the_depth_limit_is_a_400(admin):
    response = _post_raw(admin, "assignments", '{"a":' * 40 + "1" + "}" * 40)
    assert response.status_code == 400
    assert "嵌套" in response.get_json()["detail"]


def test_a_lone_surrogate_in_a_string_is_a_400(admin, demo):
    enterprise = demo.enterprise_id("清河源")
    response = admin.request("PATCH", f"enterprises/{enterprise}", data=b'{"name": "\\ud800"}',
                             headers={"Content-Type": "application/json", "If-Match": '"1"'})
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid_json"


def test_a_nul_character_in_a_json_string_is_a_400(admin):
    response = _post_raw(admin, "policies/match", '{"industry": "a\\u0000b"}')
    assert response.status_code == 400


def test_an_integer_of_five_thousand_digits_is_a_400(admin):
    response = _post_raw(admin, "assignments", assignment("9" * 5000))
    assert response.status_code == 400


def test_an_integer_too_large_for_a_column_is_a_422(admin):
    response = _post_raw(admin, "assignments", assignment("9" * 15))
    assert response.status_code == 422
    assert "user_id" in response.get_json()["errors"]


@pytest.mark.parametrize("value", ["1.5", "2.0", '"1"', "true"])
def test_a_non_integer_where_an_id_is_expected_is_a_422_not_truncated(admin, value):
    response = _post_raw(admin, "assignments", assignment(value))
    assert response.status_code == 422
    assert response.get_json()["errors"]["user_id"] == ["须为整数"]


def test_an_integer_id_in_a_query_string_still_parses(admin, demo):
    enterprise = demo.enterprise_id("清河源")
    response = admin.get(f"problems?enterprise={enterprise}")
    assert response.status_code == 200
    assert response.get_json()["items"]


def test_a_float_id_in_a_query_string_is_a_422(admin):
    assert admin.get("problems?enterprise=1.5").status_code == 422


@pytest.mark.parametrize("query", ["q=a%00b", "status=%00", "a%00=1"])
def test_a_nul_in_a_query_string_is_a_400(admin, query):
    response = admin.get(f"problems?{query}")
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid_query"


def test_a_nul_in_a_query_string_is_refused_before_authentication(client):
    assert client.get("problems?q=%00").status_code == 400


@pytest.mark.parametrize("token", ["e30", "eyJ0IjoiMDAwMS0wMS0wMVQwMDowMDowMCsxNDowMCJ9", "W10", "bnVsbA"])
def test_a_forged_sync_since_token_is_a_422(login_as, token):
    response = login_as("liaison_ma").get(f"sync?since={token}")
    assert response.status_code == 422
    assert "since" in response.get_json()["errors"]


def test_a_sync_cursor_whose_key_is_a_list_is_a_422(login_as):
    import base64
    import json

    cursor = base64.urlsafe_b64encode(json.dumps({"n": "2026-01-01T00:00:00", "k": [1, 2]}).encode()).decode()
    response = login_as("liaison_ma").get(f"sync?cursor={cursor}")
    assert response.status_code == 422


def test_a_chunked_json_body_over_the_cap_is_a_413_through_a_real_server(live_server, admin):
    url = urlsplit(live_server.base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    chunk = b'{"q": "' + b"x" * (64 * 1024)

    def body():
        yield chunk
        for _ in range(20):  # 1.3 MB, announced by no Content-Length
            yield b"x" * (64 * 1024)
        yield b'"}'

    connection.request("POST", "/api/v1/policies/match", body=body(), encode_chunked=True,
                       headers={"Content-Type": "application/json", "Authorization": f"Bearer {admin.token}",
                                "Transfer-Encoding": "chunked"})
    response = connection.getresponse()
    assert response.status == 413
    assert response.getheader("Content-Type") == "application/problem+json"


def test_a_chunked_json_body_under_the_cap_is_read_through_a_real_server(live_server, admin):
    url = urlsplit(live_server.base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.request("POST", "/api/v1/policies/match", body=iter([b'{"scale": ', b'"micro"}']), encode_chunked=True,
                       headers={"Content-Type": "application/json", "Authorization": f"Bearer {admin.token}"})
    response = connection.getresponse()
    errors = json.loads(response.read())["errors"]
    assert response.status == 422 and "region_id" in errors and "scale" not in errors  # the body was read
