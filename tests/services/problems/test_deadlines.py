"""Deadlines count working days on a calendar with holidays and make-up working days."""

from datetime import datetime

import pytest

from services.problems.deadlines import add_working_days, working_days_between
from services.timeutil import zone


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=zone())


@pytest.fixture
def calendar(app):
    with app.app_context():
        yield


def test_weekends_do_not_count(calendar):
    # Friday 2026-06-05 + 1 working day = Monday 2026-06-08
    assert add_working_days(at("2026-06-05"), 1) == at("2026-06-08")


def test_national_day_holidays_do_not_count_and_the_makeup_saturday_does(calendar):
    # 2026-09-30 (Wed) + 1 → 10-08 (Thu), since 10-01..10-07 are holidays; + 3 → 10-10 (make-up Saturday)
    assert add_working_days(at("2026-09-30"), 1) == at("2026-10-08")
    assert add_working_days(at("2026-09-30"), 3) == at("2026-10-10")


def test_ten_working_days_from_a_monday_is_two_weeks_later(calendar):
    assert add_working_days(at("2026-06-01"), 10) == at("2026-06-15")


def test_the_time_of_day_is_kept(calendar):
    assert add_working_days(at("2026-06-01", 16), 2).hour == 16


def test_a_paused_clock_counts_only_working_days(calendar):
    assert working_days_between(at("2026-06-05"), at("2026-06-08")) == 1   # Friday -> Monday
    assert working_days_between(at("2026-06-05"), at("2026-06-05", 18)) == 0
    assert working_days_between(at("2026-09-30"), at("2026-10-08")) == 1
