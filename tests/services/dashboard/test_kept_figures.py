"""The kept figures (services.figures) give exactly the dashboard the timeline query gave (reference.py):
on the demo data, and after random workloads driven through the real workflow with a clock that moves
across local days (Asia/Shanghai), deadlines passing by the clock alone, tasks and visits."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services import dashboard as service
from services import figures
from services.actors import Actor
from services.db import db
from services.errors import ServiceError
from services.models import ProblemFigure, RegionDayFigure, TaskFigure, User
from services.problems import commands as problem_commands
from services.tasks import commands as task_commands
from services.timeutil import to_local
from services.visits import create_visit
from tests.services.dashboard import reference

COORDINATORS = ("gs_coord", "lx_coord", "lxx_coord", "kl_coord")
FIRMS = (("清河源", "liaison_ma", "ent_qhy"), ("百盛超市", "liaison_li", "ent_bs"))
PAYLOADS = {
    "accept": {"comment": "受理"}, "reject": {"reason": "不属于受理范围"}, "escalate": {"reason": "需上级协调"},
    "return": {"scope": "county", "reason": "县域内可解决"}, "resolve": {"resolution": "已协调解决"},
    "feedback": {"rating": "satisfied", "comment": "满意"}, "close": {"note": "多次联系企业未评价"},
    "withdraw": {"reason": "企业已自行解决"}, "request_info": {"question": "请补充贷款合同"},
    "supply_info": {"answer": "已上传合同"}, "comment": {"text": "请尽快处理"},
    "reopen": {"rating": "unsatisfied", "comment": "不满意"},
}


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _actor(username: str) -> Actor:
    return Actor.for_user(_user(username))


def _both(username: str, day: date | None, now: datetime):
    actor = _actor(username)
    kept = service.dashboard(actor=actor, day=day, now=now)
    timeline = reference.dashboard(actor=actor, day=day, now=now)
    return kept, timeline


def _assert_same(now: datetime, days) -> None:
    for username in ("gs_coord", "lx_coord", "lxx_coord"):
        for day in days:
            kept, timeline = _both(username, day, now)
            assert kept == timeline, (username, day, now)


def test_the_demo_dashboard_equals_the_reference_for_province_prefecture_and_county(demo, db_session):
    now = datetime.now(timezone.utc)
    today = to_local(now).date()
    _assert_same(now, [None, today - timedelta(days=1), today - timedelta(days=40), today + timedelta(days=3)])


def test_a_rebuild_gives_the_figures_the_write_path_kept(demo, db_session):
    def rows():
        return (sorted(db.session.execute(select(RegionDayFigure.region_id, RegionDayFigure.day, RegionDayFigure.name,
                                                 RegionDayFigure.n).where(RegionDayFigure.n != 0, RegionDayFigure.name != figures.VERSION)).all()),
                sorted(db.session.execute(select(ProblemFigure.problem_id, ProblemFigure.region_id,
                                                 ProblemFigure.overdue_from)).all()),
                sorted(db.session.execute(select(TaskFigure.task_id, TaskFigure.problem_id, TaskFigure.region_id,
                                                 TaskFigure.overdue_from, TaskFigure.sign_overdue_from)).all()))

    kept = rows()
    assert kept[0] and kept[1] and kept[2]
    assert any(name.startswith("c.task.") for _, _, name, _ in kept[0])
    counted = figures.rebuild_all()
    assert counted["problems"] == len(kept[1]) and counted["tasks"] == len(kept[2])
    assert rows() == kept


def _firm_id(name: str) -> int:
    from services.models import Enterprise

    return db.session.scalar(select(Enterprise.id).where(Enterprise.name.contains(name)))


def _department_of(username: str) -> int:
    return _user(username).department_id


class World:
    """One random workload: problems filed and walked with a simulated clock."""

    def __init__(self, start: datetime):
        self.now = start
        self.problems: list[int] = []
        self.start = start

    def file(self, firm: int, category: str) -> None:
        name, liaison, _ = FIRMS[firm]
        problem = problem_commands.create_problem(actor=_actor(liaison), enterprise_id=_firm_id(name),
                                                  category=category, title="随机问题", now=self.now)
        self.problems.append(problem.id)

    def act(self, index: int, action: str) -> None:
        if not self.problems:
            return
        problem_id = self.problems[index % len(self.problems)]
        payload = dict(PAYLOADS.get(action, {}))
        action = "feedback" if action == "reopen" else action
        if action == "assign":
            payload = {"department_id": _department_of("dept_lxx_gxj")}
        for username in (*COORDINATORS, "ent_qhy", "ent_bs", "liaison_ma", "liaison_li"):
            try:
                problem_commands.take_action(actor=_actor(username), problem_id=problem_id, action=action,
                                             payload=payload, now=self.now)
                return
            except ServiceError:
                db.session.rollback()

    def task(self, index: int, action: str) -> None:
        from services.models import Task

        if not self.problems:
            return
        problem_id = self.problems[index % len(self.problems)]
        for task_id in db.session.scalars(select(Task.id).where(Task.problem_id == problem_id)):
            try:
                task_commands.take_action(actor=_actor("dept_lxx_gxj"), task_id=task_id, action=action,
                                          payload={"result": "已办结", "note": "进展"}, now=self.now)
            except ServiceError:
                db.session.rollback()

    def visit(self, firm: int, status: str | None) -> None:
        """A visit, observing the enterprise's operating status (a change of it is recorded) or not."""
        name, liaison, _ = FIRMS[firm]
        create_visit(actor=_actor(liaison), enterprise_id=_firm_id(name), method="phone", visited_at=self.now,
                     summary="电话走访", operating_status=status)

    def register(self, firm: int, registered: int | None, deregistered: int | None) -> None:
        """The enterprise's registration dates moved (days from the start), as an import or an edit writes them."""
        from services.models import Enterprise

        item = db.session.get(Enterprise, _firm_id(FIRMS[firm][0]))
        start = to_local(self.start).date()
        item.registered_on = None if registered is None else start + timedelta(days=registered)
        item.deregistered_on = None if deregistered is None else start + timedelta(days=deregistered)
        db.session.commit()


ACTIONS = ("accept", "reject", "escalate", "return", "resolve", "feedback", "close", "withdraw", "request_info",
           "supply_info", "comment", "reopen", "assign")
STEP = st.one_of(
    st.tuples(st.just("file"), st.integers(0, 1), st.sampled_from(("financing", "labor", "land"))),
    st.tuples(st.just("act"), st.integers(0, 50), st.sampled_from(ACTIONS)),
    st.tuples(st.just("task"), st.integers(0, 50), st.sampled_from(("sign", "report"))),
    st.tuples(st.just("visit"), st.integers(0, 1),
              st.sampled_from((None, "halted", "partial", "resumed", "full_capacity"))),
    st.tuples(st.just("register"), st.integers(0, 1), st.one_of(st.none(), st.integers(-3, 3)),
              st.one_of(st.none(), st.integers(-2, 6))),
    # The clock: minutes to a few weeks, so deadlines pass by the clock and local midnights are crossed.
    st.tuples(st.just("clock"), st.sampled_from((1, 7, 30, 59, 61, 180, 479, 481, 1439, 1441, 4320, 20160))),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=1, max_size=20),
       # starts just before, at and after a local midnight (16:00 UTC) in the autumn of 2026
       start_minute=st.sampled_from((15 * 60 + 58, 16 * 60, 16 * 60 + 1, 3 * 60)),
       start_day=st.integers(0, 40))
def test_random_workloads_give_the_reference_dashboard(demo, db_session, steps, start_minute, start_day):
    start = datetime(2026, 9, 1, tzinfo=timezone.utc) + timedelta(days=start_day, minutes=start_minute)
    world = World(start)
    for step in steps:
        kind, *args = step
        if kind == "clock":
            world.now += timedelta(minutes=args[0])
            world.now = min(world.now, datetime.now(timezone.utc))  # a visit may not lie in the future
        else:
            getattr(world, kind)(*args)
    first = to_local(world.start).date()
    last = to_local(world.now).date()
    days = sorted({first - timedelta(days=1), first, last, last + timedelta(days=1),
                   first + (last - first) / 2})
    _assert_same(world.now, days)
    # and a moment later, on the same ledger: deadlines pass by the clock alone
    _assert_same(world.now + timedelta(hours=30), [last, last + timedelta(days=1), None])


@pytest.mark.parametrize("hours", [0, 5, 24 * 9])
def test_the_overdue_figure_follows_the_clock_within_today(demo, db_session, hours):
    """Deadlines of today still to come are not overdue yet; those passed are (the overdue_from range)."""
    now = datetime.now(timezone.utc) + timedelta(hours=hours)
    _assert_same(now, [None, to_local(now).date()])


def test_flask_figures_rebuild_recomputes_every_figure(app, demo, db_session):
    db_session.execute(RegionDayFigure.__table__.delete())
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["figures", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "日调度数据已重建" in result.output and "派单" in result.output
    now = datetime.now(timezone.utc)
    _assert_same(now, [None])
