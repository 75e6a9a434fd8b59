"""Writers of one county add to the same figure rows at once (real threads, own connections): no increment
is lost (INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n, in each writer's transaction)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime, timezone

from sqlalchemy import select

from services import dashboard as service
from services.actors import Actor
from services.db import db, unit_of_work
from services.figures import BASE, add_changes
from services.models import Enterprise, RegionDayFigure, User
from services.problems.commands import create_problem
from tests.services.dashboard import reference

DAY = date(2026, 9, 15)


def _figure(region_id: int, day: date, name: str) -> int:
    db.session.rollback()  # a fresh snapshot: what the writers committed
    return db.session.scalar(select(RegionDayFigure.n).where(RegionDayFigure.region_id == region_id,
                                                             RegionDayFigure.day == day,
                                                             RegionDayFigure.name == name)) or 0


def _run(app, count: int, work) -> list[Exception]:
    barrier = threading.Barrier(count)
    errors: list[Exception] = []

    def worker(index: int):
        with app.app_context():
            try:
                barrier.wait()
                work(index)
            except Exception as error:  # noqa: BLE001  (reported by the test)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_two_writers_adding_to_the_same_county_row_at_once_lose_no_increment(app, demo, db_session):
    county = demo.region_id("622921")
    before = (_figure(county, DAY, "c.total"), _figure(county, BASE, "c.total"))
    rounds = 25

    def work(_index):
        for _ in range(rounds):
            with unit_of_work():
                add_changes(db.session.connection(), Counter({(county, DAY, "c.total"): 1}))

    assert _run(app, 2, work) == []
    assert _figure(county, DAY, "c.total") == before[0] + 2 * rounds
    assert _figure(county, BASE, "c.total") == before[1] + 2 * rounds


def test_a_writer_waiting_on_the_row_another_holds_adds_to_its_committed_value(app, demo, db_session):
    """The second upsert blocks on the first's row lock and then adds to what the first committed."""
    county = demo.region_id("622921")
    before = _figure(county, DAY, "p.new")
    holding, waiting = threading.Event(), threading.Event()

    def work(index):
        with unit_of_work():
            if index == 1:
                holding.wait(10)
            add_changes(db.session.connection(), Counter({(county, DAY, "p.new"): 1 + index}))
            if index == 0:
                holding.set()
                waiting.wait(0.5)  # keep the row locked while the other writer arrives

    assert _run(app, 2, work) == []
    assert _figure(county, DAY, "p.new") == before + 3


def test_problems_filed_at_once_in_one_county_are_all_counted(app, demo, db_session):
    firm = db_session.scalar(select(Enterprise.id).where(Enterprise.name.contains("清河源")))
    per_thread = 4

    def work(_index):
        actor = Actor.for_user(db.session.scalar(select(User).where(User.username == "liaison_ma")))
        for _ in range(per_thread):
            create_problem(actor=actor, enterprise_id=firm, category="labor", title="并发登记")

    county = demo.region_id("622921")
    total = _figure(county, BASE, "c.total")
    assert _run(app, 2, work) == []
    assert _figure(county, BASE, "c.total") == total + 2 * per_thread
    coordinator = Actor.for_user(db_session.scalar(select(User).where(User.username == "lx_coord")))
    now = datetime.now(timezone.utc)
    assert service.dashboard(actor=coordinator, now=now) == reference.dashboard(actor=coordinator, now=now)
