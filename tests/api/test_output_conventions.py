"""Every time is shown in +08:00, every error title is Chinese and one per code, and Retry-After
appears only where a client is told when to come back (429, 503)."""

import re

import pytest

from api.errors import STATUS_TITLES, TITLES, retry_after_only_when_meant
from services import errors as service_errors
from tests.security.probe import get_paths, targets

UTC_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(\+00:00|Z)$")
LOCAL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def test_no_get_endpoint_shows_a_utc_time(app, login_as, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = [p for p in get_paths(spec, targets(app)) if "export" not in p and "/photos/" not in p]
    offenders, times = [], 0
    for account in ("admin", "auditor", "lxx_coord"):
        session = login_as(account)
        for path in paths:
            response = session.get(path, query_string={"limit": 100} if "{" not in path else None)
            if response.status_code != 200 or not response.is_json:
                continue
            for text in _strings(response.get_json()):
                if UTC_TIME.match(text):
                    offenders.append(f"{account} {path}: {text}")
                times += bool(LOCAL_TIME.match(text))
    assert offenders == []
    assert times > 100


def test_warning_details_and_event_data_show_local_times(login_as):
    session = login_as("admin")
    details = [w["detail"] for w in session.get("warnings", query_string={"limit": 100}).get_json()["items"]]
    stamped = [v for d in details for k, v in d.items() if k.endswith("_at") and v]
    assert stamped and all(LOCAL_TIME.match(v) for v in stamped)
    problem = session.get("problems", query_string={"q": "流动资金贷款到期续贷困难"}).get_json()["items"][0]
    events = session.get(f"problems/{problem['id']}").get_json()["events"]
    accepted = next(e for e in events if e["action"] == "accept")
    assert LOCAL_TIME.match(accepted["data"]["due_at"])


def test_a_locked_account_is_told_until_when_in_local_time_without_retry_after(client):
    for _ in range(5):
        client.post("auth/login", json={"username": "lxx_coord", "password": "Wrong@2026"})
    locked = client.post("auth/login", json={"username": "lxx_coord", "password": "Demo@2026"})
    assert locked.status_code == 423
    assert LOCAL_TIME.match(locked.get_json()["locked_until"])
    assert "Retry-After" not in locked.headers
    assert locked.get_json()["title"] == "账号已锁定"


def test_a_users_lock_and_times_are_shown_in_local_time(client, login_as, demo):
    for _ in range(5):
        client.post("auth/login", json={"username": "kl_coord", "password": "Wrong@2026"})
    user = login_as("admin").get(f"users/{demo.user_id('kl_coord')}").get_json()
    assert LOCAL_TIME.match(user["locked_until"]) and LOCAL_TIME.match(user["created_at"])


@pytest.mark.parametrize("path", ["regions", "me", "problems", "nowhere"])
def test_ordinary_answers_carry_no_retry_after(login_as, path):
    assert "Retry-After" not in login_as("lxx_coord").get(path).headers


def test_an_unauthenticated_answer_carries_no_retry_after(client):
    assert "Retry-After" not in client.get("problems").headers


def test_a_rate_limited_answer_carries_retry_after(make_app):
    from tests.conftest import ApiClient

    client = ApiClient(make_app(PUBLIC_RATE_LIMIT="1 per minute").test_client())
    client.get("meta/enums")
    limited = client.get("meta/enums")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.get_json()["title"] == "请求过于频繁"


def test_retry_after_is_kept_on_503_and_dropped_elsewhere(app):
    from flask import Response

    for status, kept in ((503, True), (429, True), (423, False), (200, False), (500, False)):
        response = retry_after_only_when_meant(Response(status=status, headers={"Retry-After": "5"}))
        assert ("Retry-After" in response.headers) is kept, status


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_error_code_has_a_chinese_title():
    import services.idempotency  # noqa: F401 - its errors too

    codes = {cls.code for cls in _subclasses(service_errors.ServiceError)}
    assert codes - set(TITLES) == set()
    assert all(CJK.search(title) for title in [*TITLES.values(), *STATUS_TITLES.values()])


def test_answers_give_the_chinese_title_of_their_code(login_as, client, demo):
    session = login_as("lxx_coord")
    problem_id = session.get("problems", query_string={"q": "流动资金贷款到期续贷困难"}).get_json()["items"][0]["id"]
    answers = [
        client.get("problems"),                                                   # 401
        login_as("lx_viewer").post(f"problems/{problem_id}/comment", json={"text": "x"}),  # 403
        session.get("problems/2147483647"),                                       # 404
        session.delete("problems"),                                               # 405
        session.patch(f"problems/{problem_id}", json={"urgency": "urgent"}, headers={"If-Match": '"999"'}),  # 412
        session.patch(f"problems/{problem_id}", json={"urgency": "urgent"}),     # 428
        session.post("problems", data=b"x", headers={"Content-Type": "text/plain"}),  # 415
        session.post("problems", json={"title": ""}),                             # 422
        session.post("problems", data=b"{", headers={"Content-Type": "application/json"}),  # 400
    ]
    seen = {}
    for response in answers:
        body = response.get_json()
        assert response.content_type == "application/problem+json", response.status_code
        assert body["title"] == title_of(body), body
        assert CJK.search(body["title"]), body
        assert seen.setdefault(body["code"], body["title"]) == body["title"]
    assert len(seen) == len(answers)


def title_of(body):
    return TITLES.get(body["code"]) or STATUS_TITLES[body["status"]]
