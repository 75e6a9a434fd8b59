"""A real server: what clients write over HTTP shows at once in the dashboard they read over HTTP (gzip on),
and the figures are those of the reference timeline query."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import select

from services.actors import Actor
from services.db import db
from services.models import User
from tests.services.dashboard import reference


def _dashboard(session, live_server, region: int) -> dict:
    response = session.get(live_server.url + f"dashboard?region={region}", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_filing_accepting_and_visiting_over_http_show_in_the_served_dashboard(live_server, demo, app):
    prefecture, county = demo.region_id("622900"), demo.region_id("622921")
    desk = live_server.login("lx_coord")
    before = _dashboard(desk, live_server, prefecture)
    liaison, county_desk = live_server.login("liaison_ma"), live_server.login("lxx_coord")
    firm = demo.enterprise_id("清河源")
    filed = liaison.post(live_server.url + "problems", timeout=30, json={
        "enterprise_id": firm, "category": "financing", "title": "续贷困难", "description": "银行要求先还后贷",
        "scope": "county"})
    assert filed.status_code == 201, filed.text
    accepted = county_desk.post(live_server.url + f"problems/{filed.json()['id']}/accept", json={"comment": "受理"},
                                timeout=30)
    assert accepted.status_code == 200, accepted.text
    visited = liaison.post(live_server.url + "visits", timeout=30, json={
        "enterprise_id": firm, "method": "phone", "visited_at": datetime.now(timezone.utc).isoformat(),
        "summary": "电话回访"})
    assert visited.status_code == 201, visited.text

    response = desk.get(live_server.url + f"dashboard?region={prefecture}", timeout=30)
    assert response.headers.get("Content-Encoding") == "gzip"
    after = response.json()
    row = next(child for child in after["children"] if child["region"]["id"] == county)
    old_row = next(child for child in before["children"] if child["region"]["id"] == county)
    assert after["problems"]["new"] == before["problems"]["new"] + 1
    assert after["problems"]["accepted"] == before["problems"]["accepted"] + 1
    assert after["problems"]["by_status"]["in_progress"] == before["problems"]["by_status"]["in_progress"] + 1
    assert row["problems"]["total"] == old_row["problems"]["total"] + 1
    assert row["visits"]["day"] == old_row["visits"]["day"] + 1
    with app.app_context():
        actor = Actor.for_user(db.session.scalar(select(User).where(User.username == "lx_coord")))
        expected = reference.dashboard(actor=actor, region=prefecture, now=datetime.now(timezone.utc))
        db.session.remove()
    assert after == json.loads(json.dumps(expected, ensure_ascii=False))


def test_a_county_desk_is_refused_the_prefecture_dashboard_by_the_server(live_server, demo):
    response = live_server.login("lxx_coord").get(live_server.url + f"dashboard?region={demo.region_id('622900')}",
                                                  timeout=30)
    assert response.status_code == 404
