"""A real server: a province's ledger paged to the end with its cursor gives every visible problem exactly once,
newest first, and `?count=true` (answered from the kept counts) matches what the pages held."""

import pytest
from sqlalchemy import select

from services.actors import Actor, enterprise_clause
from services.db import db
from services.models import Problem, User

FILTERS = [{}, {"status": "pending"}, {"status": "pending", "category": "financing"}, {"status": "closed,in_progress"}]


def _visible_through_enterprises(app, username: str, filters: dict) -> list[int]:
    """What the enterprise-based scope (independent of the scope columns) shows, newest first."""
    with app.app_context():
        actor = Actor.for_user(db.session.scalar(select(User).where(User.username == username)))
        stmt = select(Problem.id).where(enterprise_clause(actor, Problem.enterprise_id)).order_by(Problem.id.desc())
        if "status" in filters:
            stmt = stmt.where(Problem.status.in_(filters["status"].split(",")))
        if "category" in filters:
            stmt = stmt.where(Problem.category == filters["category"])
        ids = list(db.session.scalars(stmt))
        db.session.remove()
    return ids


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "&".join(f"{k}={v}" for k, v in f.items()) or "plain")
def test_a_province_ledger_paged_to_the_end_shows_every_visible_problem_once_in_order(live_server, app, demo,
                                                                                      filters):
    county = live_server.login("lxx_coord")
    for title in ("新增问题一", "新增问题二", "新增问题三"):  # fresh rows filed through the same server
        filed = county.post(live_server.url + "problems", timeout=30, json={
            "enterprise_id": demo.enterprise_id("清河源"), "category": "financing", "title": title, "scope": "county"})
        assert filed.status_code == 201, filed.text
    province = live_server.login("gs_coord")
    seen, cursor, pages, total = [], None, 0, None
    while True:
        query = {**filters, "limit": 4, "count": "true"}
        if cursor:
            query["cursor"] = cursor
        response = province.get(live_server.url + "problems", params=query, timeout=30)
        assert response.status_code == 200, response.text
        body = response.json()
        assert total is None or body["total"] == total  # the same count on every page
        total = body["total"]
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    expected = _visible_through_enterprises(app, "gs_coord", filters)
    assert len(expected) >= 3 and (pages > 1 or len(expected) <= 4)
    assert seen == expected  # each once, newest first, nothing missing
    assert total == len(seen)
