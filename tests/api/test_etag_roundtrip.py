"""ETags round-trip through compression: a client sends back exactly what it received."""

import pytest

from api.concurrency import parse_etag


def _open_problem(session, base, title="流动资金贷款到期续贷困难"):
    """The demo problem at 临夏县 with a timeline long enough (> 1 KB) to be gzipped."""
    items = session.get(base + "problems", params={"q": title}).json()["items"]
    return items[0]["id"]


def test_gzipped_get_then_patch_with_the_received_etag_succeeds(live_server):
    session = live_server.login("lxx_coord")
    problem_id = _open_problem(session, live_server.url)
    got = session.get(live_server.url + f"problems/{problem_id}")
    assert got.headers["Content-Encoding"] == "gzip"
    etag = got.headers["ETag"]
    assert etag == f'"{got.json()["version"]}:gzip"'
    patched = session.patch(live_server.url + f"problems/{problem_id}", json={"urgency": "urgent"},
                            headers={"If-Match": etag})
    assert patched.status_code == 200, patched.text
    assert patched.json()["version"] == got.json()["version"] + 1


def test_gzipped_get_then_action_with_the_received_etag_succeeds(live_server):
    session = live_server.login("lxx_coord")
    problem_id = _open_problem(session, live_server.url)
    etag = session.get(live_server.url + f"problems/{problem_id}").headers["ETag"]
    commented = session.post(live_server.url + f"problems/{problem_id}/comment", json={"text": "请尽快处理"},
                             headers={"If-Match": etag})
    assert commented.status_code == 200, commented.text


def test_the_received_etag_once_stale_answers_412(live_server):
    session = live_server.login("lxx_coord")
    problem_id = _open_problem(session, live_server.url)
    etag = session.get(live_server.url + f"problems/{problem_id}").headers["ETag"]
    assert session.patch(live_server.url + f"problems/{problem_id}", json={"urgency": "urgent"},
                         headers={"If-Match": etag}).status_code == 200
    again = session.patch(live_server.url + f"problems/{problem_id}", json={"urgency": "normal"},
                          headers={"If-Match": etag})
    assert again.status_code == 412
    assert again.json()["code"] == "version_mismatch"


def test_the_gzipped_etag_in_if_none_match_answers_304(live_server):
    session = live_server.login("lxx_coord")
    problem_id = _open_problem(session, live_server.url)
    etag = session.get(live_server.url + f"problems/{problem_id}").headers["ETag"]
    again = session.get(live_server.url + f"problems/{problem_id}", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_a_weakened_etag_from_a_proxy_is_accepted_in_if_match_and_if_none_match(live_server):
    session = live_server.login("lxx_coord")
    problem_id = _open_problem(session, live_server.url)
    version = session.get(live_server.url + f"problems/{problem_id}").json()["version"]
    assert session.get(live_server.url + f"problems/{problem_id}",
                       headers={"If-None-Match": f'W/"{version}"'}).status_code == 304
    patched = session.patch(live_server.url + f"problems/{problem_id}", json={"urgency": "urgent"},
                            headers={"If-Match": f'W/"{version}:gzip"'})
    assert patched.status_code == 200, patched.text


def test_an_uncompressed_response_carries_the_plain_version(live_server):
    session = live_server.login("lxx_coord")
    problem_id = _open_problem(session, live_server.url)
    got = session.get(live_server.url + f"problems/{problem_id}", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in got.headers
    assert got.headers["ETag"] == f'"{got.json()["version"]}"'


@pytest.mark.parametrize("value, version", [
    ('"5"', 5), ('W/"5"', 5), ('"5:gzip"', 5), ('W/"5:gzip"', 5), ('"5-gzip"', 5), ('"5:br"', 5), ("5", 5),
    ('"12:GZIP"', 12),
])
def test_every_form_a_compressor_or_proxy_makes_names_the_version(value, version):
    assert parse_etag(value) == version


@pytest.mark.parametrize("value", ['"5:foo"', '"abc"', '"5', '5"', '"5:gzip:gzip"', "*", '""', 'W/"5" x'])
def test_other_entity_tags_name_no_version(value):
    assert parse_etag(value) is None


def test_a_foreign_entity_tag_in_if_match_answers_412(live_server):
    session = live_server.login("lxx_coord")
    problem_id = _open_problem(session, live_server.url)
    response = session.patch(live_server.url + f"problems/{problem_id}", json={"urgency": "urgent"},
                             headers={"If-Match": '"5:foo"'})
    assert response.status_code == 412
