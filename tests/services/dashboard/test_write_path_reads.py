"""The write path keeps the 日调度 figures without reading back what it can know: a problem filed in the
transaction is counted from what the transaction holds, and events that cannot change a problem's share (a
comment) cost only the read of its stored share — while the figures stay those a rebuild computes."""

from datetime import date, datetime, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import event, select

from services.db import db
from services.figures import VERSION, _as_marks, _unchanged_by, rebuild
from services.models.figures import ProblemFigure, RegionDayFigure
from tests.services.problems.helpers import do, file

ZONE = ZoneInfo("Asia/Shanghai")


def _figures(db_session):
    db_session.rollback()
    rows = db_session.execute(select(RegionDayFigure.region_id, RegionDayFigure.day, RegionDayFigure.name,
                                     RegionDayFigure.n).where(RegionDayFigure.n != 0, RegionDayFigure.name != VERSION)).all()
    shares = db_session.execute(select(ProblemFigure.problem_id, ProblemFigure.region_id,
                                       ProblemFigure.overdue_from, ProblemFigure.marks)).all()
    return sorted(rows), sorted(shares, key=lambda row: row.problem_id)


def _rebuilt(db_session):
    rebuild(db_session.connection())
    db_session.flush()
    figures = _figures_in(db_session)
    db_session.rollback()
    return figures


def _figures_in(db_session):
    rows = db_session.execute(select(RegionDayFigure.region_id, RegionDayFigure.day, RegionDayFigure.name,
                                     RegionDayFigure.n).where(RegionDayFigure.n != 0, RegionDayFigure.name != VERSION)).all()
    shares = db_session.execute(select(ProblemFigure.problem_id, ProblemFigure.region_id,
                                       ProblemFigure.overdue_from, ProblemFigure.marks)).all()
    return sorted(rows), sorted(shares, key=lambda row: row.problem_id)


def _statements(app, request):
    seen = []
    with app.app_context():
        engine = db.engine
    listener = lambda _c, _cur, statement, *_a: seen.append(" ".join(statement.split()))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def test_a_comment_reads_no_timeline_for_the_figures_and_they_stay_exact(app, login_as, demo, db_session):
    coordinator = login_as("lxx_coord")
    problem = file(coordinator, demo)
    do(coordinator, problem["id"], "accept", {"comment": "受理"})
    for n in range(3):
        do(coordinator, problem["id"], "comment", {"text": f"第{n}次留言"})
    seen = _statements(app, lambda: do(coordinator, problem["id"], "comment", {"text": "请尽快处理"}))
    assert not [s for s in seen if s.startswith("SELECT problem_events.problem_id, problem_events.id, problem_events.at")]
    assert _figures(db_session) == _rebuilt(db_session)


def test_a_filed_problem_is_counted_without_reading_it_back(app, login_as, demo, db_session):
    coordinator = login_as("lxx_coord")
    seen = _statements(app, lambda: file(coordinator, demo))
    assert not [s for s in seen if s.startswith("SELECT problems.id, problems.created_at, problems.status")]
    assert _figures(db_session) == _rebuilt(db_session)


def _row(marks, status="in_progress", level="county", region=4, stored_region=4):
    return SimpleNamespace(stored_region_id=stored_region, region_id=region, status=status, level=level,
                           stored_marks=_as_marks(marks))


def _marks(*entries):
    from collections import Counter
    return Counter({(day, name): n for day, name, n in entries})


STORED = _marks((date(2026, 3, 1), "c.status.pending", 1), (date(2026, 3, 1), "c.level.county", 1),
                (date(2026, 3, 1), "c.total", 1), (date(2026, 3, 2), "c.status.pending", -1),
                (date(2026, 3, 2), "c.status.in_progress", 1))


def _event(day, to_status="in_progress", to_level="county"):
    return SimpleNamespace(at=datetime(day.year, day.month, day.day, 4, tzinfo=timezone.utc), to_status=to_status,
                           to_level=to_level)


def test_an_event_repeating_the_last_outcome_after_it_changes_no_share():
    assert _unchanged_by(_row(STORED), [_event(date(2026, 3, 5))], ZONE)


def test_an_event_of_another_status_changes_the_share():
    assert not _unchanged_by(_row(STORED), [_event(date(2026, 3, 5), to_status="resolved")], ZONE)


def test_an_event_of_another_level_changes_the_share():
    assert not _unchanged_by(_row(STORED), [_event(date(2026, 3, 5), to_level="prefecture")], ZONE)


def test_an_event_dated_before_the_last_change_changes_the_share():
    assert not _unchanged_by(_row(STORED), [_event(date(2026, 3, 1))], ZONE)


def test_an_event_without_a_status_takes_the_problem_s_own():
    assert _unchanged_by(_row(STORED), [_event(date(2026, 3, 5), to_status=None)], ZONE)
    assert not _unchanged_by(_row(STORED, status="resolved"), [_event(date(2026, 3, 5), to_status=None)], ZONE)


def test_a_problem_whose_enterprise_moved_is_computed_again():
    assert not _unchanged_by(_row(STORED, region=5), [_event(date(2026, 3, 5))], ZONE)


def test_a_problem_without_a_stored_share_is_computed():
    assert not _unchanged_by(_row(STORED, stored_region=None), [_event(date(2026, 3, 5))], ZONE)

