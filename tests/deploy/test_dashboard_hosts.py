"""日调度 kept by one server process and written through another (two gunicorn servers on one database, standing
for two hosts): a write through either shows in the next dashboard of both, and a dashboard asked again with
nothing written is the same answer, byte for byte."""

from __future__ import annotations

import uuid

import requests

from tests.deploy.conftest import signed_in


def _dashboard(http: requests.Session, base: str) -> requests.Response:
    answer = http.get(f"{base}/api/v1/dashboard", timeout=30)
    assert answer.status_code == 200, answer.text
    return answer


def test_a_problem_filed_through_one_host_shows_in_the_dashboard_the_other_host_kept(gunicorn, demo):
    one, _log = gunicorn("--workers", "1")
    other, _log = gunicorn("--workers", "1")
    desk = signed_in(other, "lx_coord")
    kept = _dashboard(desk, other)
    again = _dashboard(desk, other)
    assert again.content == kept.content and again.headers.get("Content-Encoding") == "gzip"

    liaison = signed_in(one, "liaison_ma")
    filed = liaison.post(f"{one}/api/v1/problems", headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=30,
                         json={"enterprise_id": demo.enterprise_id("清河源"), "category": "financing",
                               "scope": "county", "title": "续贷困难", "description": "银行要求先还后贷"})
    assert filed.status_code == 201, filed.text

    after = _dashboard(desk, other).json()
    assert after["problems"]["new"] == kept.json()["problems"]["new"] + 1
    assert after["problems"]["total"] == kept.json()["problems"]["total"] + 1
    assert _dashboard(signed_in(one, "lx_coord"), one).json() == after  # both hosts give the same answer


def test_a_county_desk_is_refused_a_prefecture_dashboard_another_desk_had_kept(gunicorn, demo):
    base, _log = gunicorn("--workers", "1")
    prefecture = demo.region_id("622900")
    assert signed_in(base, "lx_coord").get(f"{base}/api/v1/dashboard?region={prefecture}",
                                            timeout=30).status_code == 200
    refused = signed_in(base, "lxx_coord").get(f"{base}/api/v1/dashboard?region={prefecture}", timeout=30)
    assert refused.status_code == 404
    assert requests.get(f"{base}/api/v1/dashboard?region={prefecture}", timeout=30).status_code == 401
