"""日调度 answers are kept and given again only while nothing they show can have changed: the subtree's change
counts (written with the figures, the warnings and the needs) and its next moment (a deadline, a need's time).
Each test checks what is given again against the reference timeline query, besides the suite's own check
(DASHBOARD_VERIFY_KEPT computes every answer given again and compares)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, func, select, update

from services import dashboard as service
from services import figures
from services.actors import Actor
from services.db import db
from services.errors import NotFound
from services.models import Department, EarlyWarning, Need, ProblemFigure, Region, RegionDayFigure, User
from services.reference import update_department, update_region
from services.timeutil import to_local
from tests import factories
from tests.services.dashboard import reference
from tests.statements import recorded


def _actor(username: str) -> Actor:
    return Actor.for_user(db.session.scalar(select(User).where(User.username == username)))


def _region(code: str) -> Region:
    return db.session.scalar(select(Region).where(Region.code == code))


def _now() -> datetime:
    return datetime.now(timezone.utc)


@pytest.fixture
def unverified():
    """Kept answers given again as they are (production): what a kept answer costs is measurable."""
    previous, service.settings.verify = service.settings.verify, False
    yield
    service.settings.verify = previous


def _same_as_reference(username: str, held: service.Answer, now: datetime, region: int | None = None) -> None:
    assert held.data == reference.dashboard(actor=_actor(username), region=region, now=now)


def test_an_answer_asked_again_with_nothing_written_is_the_kept_one(app, demo, db_session, unverified):
    now = _now()
    first = service.answer(actor=_actor("gs_coord"), now=now)
    actor = _actor("gs_coord")
    db_session.expire_all()
    again, statements = recorded(app, lambda: service.answer(actor=actor, now=now + timedelta(seconds=1)))
    assert again is first
    assert len(statements) == 2  # the region asked for and the subtree's change counts
    _same_as_reference("gs_coord", again, now + timedelta(seconds=1))


def test_a_problem_filed_in_a_county_renews_its_ancestors_answers_and_keeps_the_others(demo, db_session):
    now = _now()
    province = service.answer(actor=_actor("gs_coord"), now=now)
    linxia = service.answer(actor=_actor("lx_coord"), now=now)
    lanzhou = service.answer(actor=_actor("lz_coord"), now=now)
    firm = factories.enterprise(_region("622921"))  # 临夏县, in 临夏州
    factories.problem(firm, created_at=now - timedelta(minutes=1))
    db_session.commit()
    later = now + timedelta(seconds=1)
    province_after = service.answer(actor=_actor("gs_coord"), now=later)
    linxia_after = service.answer(actor=_actor("lx_coord"), now=later)
    assert province_after is not province and linxia_after is not linxia
    assert province_after.data["problems"]["total"] == province.data["problems"]["total"] + 1
    assert linxia_after.data["problems"]["total"] == linxia.data["problems"]["total"] + 1
    assert service.answer(actor=_actor("lz_coord"), now=later) is lanzhou  # 兰州市 holds nothing of it
    _same_as_reference("gs_coord", province_after, later)


def test_a_warning_opened_renews_the_answer(demo, db_session):
    now = _now()
    county = _region("622921")
    firm = factories.enterprise(county)
    db_session.commit()
    before = service.answer(actor=_actor("lxx_coord"), now=now)
    db_session.add(EarlyWarning(type="no_visit", severity="red", state="open", subject=f"enterprise:{firm.id}",
                                enterprise_id=firm.id, region_id=county.id, opened_at=now - timedelta(minutes=1)))
    db_session.commit()
    after = service.answer(actor=_actor("lxx_coord"), now=now + timedelta(seconds=1))
    assert after is not before
    assert after.data["warnings_open"]["red"] == before.data["warnings_open"]["red"] + 1
    _same_as_reference("lxx_coord", after, now + timedelta(seconds=1))


def test_a_need_moved_to_another_county_renews_both_answers(demo, db_session):
    now = _now()
    need = db_session.scalar(select(Need).where(Need.status.in_(("open", "matched"))).order_by(Need.id))
    assert need is not None, "the demo data holds open 对接 needs"
    source = db_session.get(Region, need.region_id)
    target = _region("620102") if not source.code.startswith("6201") else _region("622921")  # another prefecture
    coordinators = {db_session.scalar(select(User.username).where(User.role == "coordinator",
                                                                  User.region_id == region.parent_id))
                    for region in (source, target)} - {None}
    kept = {username: service.answer(actor=_actor(username), now=now) for username in coordinators}
    assert len(kept) == 2
    need.region_id = target.id
    db_session.commit()
    for username, before in kept.items():
        after = service.answer(actor=_actor(username), now=now + timedelta(seconds=1))
        assert after is not before, username
        _same_as_reference(username, after, now + timedelta(seconds=1))


def test_a_region_renamed_renews_every_answer(demo, db_session):
    now = _now()
    province = service.answer(actor=_actor("gs_coord"), now=now)
    lanzhou = service.answer(actor=_actor("lz_coord"), now=now)
    linxia = _region("622900")
    update_region(actor=_actor("admin"), region_id=linxia.id, expected_version=linxia.version,
                  changes={"name": "临夏州（改名）"})
    db_session.commit()
    province_after = service.answer(actor=_actor("gs_coord"), now=now)
    assert province_after is not province
    assert "临夏州（改名）" in {row["region"]["name"] for row in province_after.data["children"]}
    assert service.answer(actor=_actor("lz_coord"), now=now) is not lanzhou  # renamed elsewhere: all renewed


def test_a_region_added_under_a_county_renews_its_answer(demo, db_session):
    now = _now()
    county = _region("622921")
    before = service.answer(actor=_actor("lxx_coord"), now=now)
    town = factories.region("629981", "测试镇", "town", county)
    db_session.commit()
    after = service.answer(actor=_actor("lxx_coord"), now=now)
    assert after is not before
    assert town.id in {row["region"]["id"] for row in after.data["children"]}


def test_a_department_renamed_renews_the_answers_that_show_it(demo, db_session):
    now = _now()
    before = service.answer(actor=_actor("gs_coord"), now=now)
    shown = [row["department_id"] for row in before.data["tasks"]["by_department"]]
    assert shown, "the demo data dispatches tasks to departments"
    department = db_session.get(Department, shown[0])
    update_department(actor=_actor("admin"), department_id=department.id, expected_version=department.version,
                      changes={"name": "改名后的部门"})
    db_session.commit()
    after = service.answer(actor=_actor("gs_coord"), now=now)
    assert after is not before
    assert {"department_id": department.id, "department_name": "改名后的部门"}.items() <= next(
        row for row in after.data["tasks"]["by_department"] if row["department_id"] == department.id).items()


def test_a_deadline_reached_renews_todays_answer_with_nothing_written(demo, db_session):
    moment = db_session.scalar(select(func.min(ProblemFigure.overdue_from)).where(
        ProblemFigure.overdue_from.is_not(None)))
    assert moment is not None, "the demo data holds problems with deadlines"
    day = to_local(moment).date()
    just_before = max(moment - timedelta(minutes=1), datetime.combine(day, datetime.min.time(),
                                                                      tzinfo=to_local(moment).tzinfo))
    first = service.answer(actor=_actor("gs_coord"), day=day, now=just_before)
    assert first.until is not None and first.until <= moment
    at_it = service.answer(actor=_actor("gs_coord"), day=day, now=first.until)
    assert at_it is first  # a deadline at the very moment is still to come
    past_it = service.answer(actor=_actor("gs_coord"), day=day, now=first.until + timedelta(microseconds=1))
    assert past_it is not first
    assert past_it.data == reference.dashboard(actor=_actor("gs_coord"), day=day,
                                               now=first.until + timedelta(microseconds=1))


def test_an_earlier_moment_is_computed_afresh(demo, db_session):
    now = _now()
    later = service.answer(actor=_actor("lx_coord"), now=now)
    earlier = service.answer(actor=_actor("lx_coord"), now=now - timedelta(hours=3))
    assert earlier is not later
    _same_as_reference("lx_coord", earlier, now - timedelta(hours=3))


def test_the_caller_is_checked_before_a_kept_answer_is_given(demo, db_session):
    now = _now()
    linxia = _region("622900").id
    service.answer(actor=_actor("lx_coord"), region=linxia, now=now)
    with pytest.raises(NotFound):
        service.answer(actor=_actor("lxx_coord"), region=linxia, now=now)  # a county desk asks its prefecture
    with pytest.raises(NotFound):
        service.answer(actor=_actor("lz_coord"), region=linxia, now=now)


def test_a_figure_written_without_its_change_count_is_caught_by_the_check(demo, db_session):
    """The suite's check is what would find a write path that forgot the change count: here one is simulated."""
    now = _now()
    county = _region("622921")
    service.answer(actor=_actor("lxx_coord"), now=now)
    db_session.execute(update(RegionDayFigure).where(
        RegionDayFigure.region_id == county.id, RegionDayFigure.name == "c.total",
        RegionDayFigure.day == figures.BASE).values(n=RegionDayFigure.n + 5))
    db_session.commit()
    with pytest.raises(AssertionError, match="保留的结果与重新计算的不同"):
        service.answer(actor=_actor("lxx_coord"), now=now)


def test_a_rebuild_renews_every_answer(demo, db_session):
    now = _now()
    before = service.answer(actor=_actor("gs_coord"), now=now)
    figures.rebuild_all()
    after = service.answer(actor=_actor("gs_coord"), now=now)
    assert after is not before and after.data == before.data


def test_the_kept_answers_are_bounded(demo, db_session):
    now = _now()
    previous, service.settings.entries = service.settings.entries, 2
    try:
        first = service.answer(actor=_actor("gs_coord"), now=now)
        service.answer(actor=_actor("lx_coord"), now=now)
        service.answer(actor=_actor("lz_coord"), now=now)
        assert service.answer(actor=_actor("gs_coord"), now=now) is not first  # the oldest went first
    finally:
        service.settings.entries = previous


def test_a_write_committed_while_an_answer_is_computed_is_not_hidden_by_it(app, demo, db_session):
    """The change counts are read before the figures: a write landing after the figures were read (PostgreSQL reads
    each statement's own snapshot) leaves the answer's counts old too — so the next request computes afresh
    instead of keeping figures that miss the write under counts that include it."""
    now = _now()
    county = _region("622921")
    firm = factories.enterprise(county)
    db_session.commit()
    firm_id = firm.id
    wrote = threading.Event()

    def write_elsewhere():
        with app.app_context():
            other = db.session
            factories.problem(other.get(type(firm), firm_id), created_at=now - timedelta(minutes=1))
            other.commit()
            db.session.remove()
        wrote.set()

    def after_figures(_conn, _cursor, statement, *_args):
        if "region_day_figures" in statement and "UNION ALL" in statement and not wrote.is_set():  # _kept's read
            thread = threading.Thread(target=write_elsewhere)
            thread.start()
            thread.join()

    event.listen(db.engine, "after_cursor_execute", after_figures)
    try:
        first = service.answer(actor=_actor("lxx_coord"), now=now)
    finally:
        event.remove(db.engine, "after_cursor_execute", after_figures)
    assert wrote.is_set()
    db_session.commit()  # end the read: see what the other session committed
    again = service.answer(actor=_actor("lxx_coord"), now=now + timedelta(seconds=1))
    assert again is not first
    _same_as_reference("lxx_coord", again, now + timedelta(seconds=1))


def test_no_answer_is_kept_when_none_may_be(demo, db_session):
    now = _now()
    previous, service.settings.entries = service.settings.entries, 0  # DASHBOARD_KEPT_ANSWERS=0
    try:
        first = service.answer(actor=_actor("lx_coord"), now=now)
        again = service.answer(actor=_actor("lx_coord"), now=now)
        assert again is not first and again.data == first.data
    finally:
        service.settings.entries = previous
