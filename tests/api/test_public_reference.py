"""What the anonymous 不来即享 form needs: regions, enum labels and the policies in force, without a token."""

import pytest
import requests

from tests.conftest import ApiClient

PUBLIC_READS = ["regions", "meta/enums", "policies"]


@pytest.mark.parametrize("path", PUBLIC_READS)
def test_public_reads_answer_without_a_token(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.get_json()


def test_the_anonymous_policy_list_holds_only_policies_in_force(client, login_as):
    anonymous = {p["title"] for p in client.get("policies", query_string={"limit": 100}).get_json()["items"]}
    everything = {p["title"] for p in login_as("admin").get("policies", query_string={"limit": 100}).get_json()["items"]}
    assert anonymous and anonymous < everything
    assert not any("已到期" in title for title in anonymous)


def test_asking_for_expired_policies_without_a_token_still_lists_only_those_in_force(client):
    items = client.get("policies", query_string={"in_force": "false", "limit": 100}).get_json()["items"]
    assert not any("已到期" in p["title"] for p in items)


@pytest.mark.parametrize("method, path, body", [
    ("POST", "regions", {"code": "622999", "name": "测试县", "level": "county"}),
    ("POST", "policies", {"title": "x"}),
    ("GET", "regions/1", None),
    ("GET", "departments", None),
])
def test_writes_and_other_reads_still_need_a_token(client, method, path, body):
    assert client.request(method, path, json=body).status_code == 401


def test_a_bad_token_on_a_public_read_is_refused_not_ignored(client):
    response = client.get("regions", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401


@pytest.mark.parametrize("path", PUBLIC_READS)
def test_token_less_public_reads_are_rate_limited_per_address(make_app, path):
    client = ApiClient(make_app(PUBLIC_RATE_LIMIT="3 per minute").test_client())
    codes = [client.get(path).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_signed_in_reads_of_public_endpoints_are_not_held_to_the_public_limit(make_app):
    from tests.conftest import login

    session = login(make_app(PUBLIC_RATE_LIMIT="2 per minute").test_client(), "liaison_ma")
    assert [session.get("regions").status_code for _ in range(4)] == [200] * 4


def test_the_anonymous_form_is_filled_over_a_real_server(live_server):
    regions = requests.get(live_server.url + "regions", params={"level": "county", "limit": 100})
    labels = requests.get(live_server.url + "meta/enums")
    assert regions.status_code == labels.status_code == 200
    county = next(r for r in regions.json()["items"] if r["code"] == "622921")
    facts = {"entity_type": "enterprise", "scale": "small", "industry": "C", "region_id": county["id"], "employees": 30}
    assert labels.json()["entity_type"]["enterprise"] == "企业"
    matched = requests.post(live_server.url + "policies/match", json=facts)
    assert matched.status_code == 200 and matched.json()["matched"]
