"""API_RATE_LIMIT is one budget per user over every route together, shared by the server's workers: a user cannot
multiply it by spreading requests over routes, and one user's budget is not another's."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.deploy.conftest import signed_in

ROUTES = ("me", "problems?limit=5", "enterprises?limit=5")


def test_requests_spread_over_routes_and_workers_draw_on_one_budget_per_user(gunicorn, demo):
    base, _log = gunicorn("--workers", "2", "--worker-class", "gthread", "--threads", "2",
                          API_RATE_LIMIT="6 per minute", LOGIN_RATE_LIMIT="100 per minute")
    http = signed_in(base, "lxx_coord")
    answers = [http.get(f"{base}/api/v1/{ROUTES[n % len(ROUTES)]}", timeout=30) for n in range(6)]
    assert [answer.status_code for answer in answers] == [200] * 6
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers] == ["5", "4", "3", "2", "1", "0"]
    refused = http.get(f"{base}/api/v1/warnings", timeout=30)  # a route this user has not asked yet
    assert refused.status_code == 429
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert refused.json()["code"] == "rate_limited" and int(refused.headers["Retry-After"]) > 0
    other = signed_in(base, "lx_coord")
    assert other.get(f"{base}/api/v1/me", timeout=30).status_code == 200  # another user's budget is untouched


def test_an_app_built_with_its_own_api_rate_limit_applies_it(make_app, demo):
    app = make_app(API_RATE_LIMIT="2 per minute")
    client = app.test_client()
    token = client.post("/api/v1/auth/login", json={"username": "kl_coord", "password": PASSWORD}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    codes = [client.get(path, headers=headers).status_code for path in ("/api/v1/me", "/api/v1/problems",
                                                                          "/api/v1/enterprises")]
    assert codes == [200, 200, 429]
