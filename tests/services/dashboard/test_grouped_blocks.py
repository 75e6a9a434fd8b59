"""The blocks the dashboard reads in one grouped query for the region and all its children — warnings, key
enterprises, tasks (by the problems' scope columns) and the 对接 row — give exactly what the reference's per-level
path joins and per-region need queries gave; and the dashboard's statement count does not grow with the number
of children."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event, select

from services import dashboard as service
from services.actors import Actor
from services.db import db
from services.enterprises import update_enterprise
from services.models import Enterprise, Problem, Region, Task, User
from tests import factories
from tests.services.dashboard import reference
from tests.services.needs.test_figures import october  # noqa: F401  (the fixture: a month of 对接 work)

# Measured on the demo data (today): the caller's region, its children, the subtree's regions, the kept figures,
# the problems' and the tasks' overdue ranges (today only), the departments' names, key enterprises, warnings and
# the 对接 row's three queries. A past day needs neither range.
# An answer computed: its statements, and the two of keeping it (the change counts read first; today, the next
# moment it changes by itself).
BUDGET = {"today": 14, "past": 10}


def _actor(username: str) -> Actor:
    return Actor.for_user(db.session.scalar(select(User).where(User.username == username)))


def _assert_same(usernames, days, now: datetime) -> None:
    for username in usernames:
        actor = _actor(username)
        for day in days:
            kept = service.dashboard(actor=actor, day=day, now=now)
            assert kept == reference.dashboard(actor=actor, day=day, now=now), (username, day)


def test_the_need_rows_of_a_month_of_matching_equal_the_reference(app, october):  # noqa: F811
    with app.app_context():
        days = [date(2026, 9, 28), date(2026, 10, 3), date(2026, 10, 10), date(2026, 10, 25), date(2026, 10, 31),
                date(2026, 11, 1), date(2026, 11, 2), None]
        _assert_same(("gs_coord", "lx_coord", "lxx_coord"), days, datetime.now(timezone.utc))
        # and with the clock inside the month (needs filed later are not there yet)
        _assert_same(("gs_coord", "lx_coord"), [date(2026, 10, 31)], datetime(2026, 10, 20, 4, tzinfo=timezone.utc))
        body = service.dashboard(actor=_actor("lx_coord"), day=date(2026, 10, 31))
        assert body["needs"]["new"] >= 5 and body["needs"]["matches_signed"] == 1  # the month was not empty


def test_an_enterprise_moved_to_another_prefecture_takes_its_tasks_and_figures_along(demo, db_session):
    firm = db_session.scalar(select(Enterprise).where(Enterprise.name.contains("清河源")))
    assert db_session.scalar(select(Task.id).join(Problem, Problem.id == Task.problem_id)
                             .where(Problem.enterprise_id == firm.id).limit(1)) is not None
    target = db_session.scalar(select(Region).where(Region.code == "620102"))  # 兰州市城关区
    now = datetime.now(timezone.utc)
    today = (now + timedelta(hours=8)).date()
    before = service.dashboard(actor=_actor("gs_coord"), now=now)
    update_enterprise(actor=_actor("admin"), enterprise_id=firm.id, expected_version=firm.version,
                      changes={"region_id": target.id})
    db_session.expire_all()
    _assert_same(("gs_coord", "lx_coord", "lxx_coord", "lz_coord"), [None, today - timedelta(days=40)], now)
    after = service.dashboard(actor=_actor("gs_coord"), now=now)
    rows = {row["region"]["code"]: row for row in after["children"]}
    was = {row["region"]["code"]: row for row in before["children"]}
    assert rows["620100"]["tasks"]["total"] > was["620100"]["tasks"]["total"]
    assert rows["622900"]["tasks"]["total"] < was["622900"]["tasks"]["total"]
    assert after["tasks"] == before["tasks"]  # the province holds both


def _statements(actor: Actor, region_id: int, day: date | None = date(2026, 9, 15)) -> int:
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        service.dashboard(actor=actor, region=region_id, day=day)
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return count


@pytest.mark.parametrize("username", ["gs_coord", "lx_coord", "lxx_coord"])
def test_the_demo_dashboard_keeps_its_statement_budget(demo, db_session, username):
    actor = _actor(username)
    assert _statements(actor, actor.region_id, None) <= BUDGET["today"]
    assert _statements(actor, actor.region_id) <= BUDGET["past"]


def test_the_statement_count_does_not_grow_with_the_number_of_children(db_session):
    prefecture, counties = factories.fresh_prefecture("629700", counties=2)
    admin = _actor("admin")
    few = _statements(admin, prefecture.id), _statements(admin, prefecture.id, None)
    for i in range(10):
        county = factories.region(f"6297{i + 3:02d}", f"测试县6297{i + 3:02d}", "county", prefecture)
        firm = factories.enterprise(county, tags=["key"], status="partial")
        factories.problem(firm, status="pending", created_at=factories.local(2026, 9, 1 + i))
    db_session.commit()
    many = _statements(admin, prefecture.id), _statements(admin, prefecture.id, None)
    assert len(db_session.scalars(select(Region).where(Region.parent_id == prefecture.id)).all()) == 12
    assert few == many
    assert 0 < many[0] <= BUDGET["past"] and 0 < many[1] <= BUDGET["today"]


def _tag(firm: Enterprise, tags: list[str]) -> None:
    db.session.refresh(firm)
    update_enterprise(actor=_actor("admin"), enterprise_id=firm.id, expected_version=firm.version,
                      changes={"tags": tags})
    db.session.expire_all()


def test_key_tags_added_and_removed_and_visits_across_a_month_end_give_the_reference_key_figures(demo, db_session):
    from services.visits import create_visit

    firm = db_session.scalar(select(Enterprise).where(Enterprise.name.contains("百盛超市")))
    others = [tag for tag in firm.tags if tag != "key"]
    _tag(firm, others)  # not a key enterprise to begin with
    now = datetime.now(timezone.utc)
    local = factories.local
    start = local(now.year, now.month, 1, 0, 10) - timedelta(days=40)
    month_end = local(start.year, start.month, 1, 0, 0) + timedelta(days=32)
    month_end = local(month_end.year, month_end.month, 1, 0, 0) - timedelta(minutes=30)  # 23:30, a month's last day
    assert (month_end + timedelta(minutes=40)).day == 1 and month_end < now
    for at in (start, month_end, month_end + timedelta(minutes=40)):
        create_visit(actor=_actor("liaison_li"), enterprise_id=firm.id, method="phone", visited_at=at,
                     summary="电话走访")
    days = [None, (month_end - timedelta(days=1)).date(), month_end.date(), (month_end + timedelta(hours=1)).date()]
    users = ("gs_coord", "lx_coord", "lxx_coord")
    before = service.dashboard(actor=_actor("gs_coord"), day=month_end.date(), now=now)["key_enterprises"]
    _tag(firm, [*others, "key"])
    _assert_same(users, days, now)
    after = service.dashboard(actor=_actor("gs_coord"), day=month_end.date(), now=now)["key_enterprises"]
    assert after == {"total": before["total"] + 1, "visited_this_month": before["visited_this_month"] + 1}
    _tag(firm, others)
    _assert_same(users, days, now)
    assert service.dashboard(actor=_actor("gs_coord"), day=month_end.date(), now=now)["key_enterprises"] == before
