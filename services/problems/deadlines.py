"""Working-day deadlines (工作日): weekends, statutory holidays and make-up working days (调休).

The calendar's exceptions are data (CalendarDay rows, updated by admins each year); the limits are
configuration (services/problems/limits.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from services.db import db
from services.models import CalendarDay
from services.timeutil import to_local


def _exceptions(start: date, end: date) -> dict[date, bool]:
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.is_workday)
                              .where(CalendarDay.day >= start, CalendarDay.day <= end))
    return {day: is_workday for day, is_workday in rows}


def is_workday(day: date, exceptions: dict[date, bool] | None = None) -> bool:
    """Whether the day is a working day: the calendar's exception if any, else Monday to Friday."""
    exceptions = _exceptions(day, day) if exceptions is None else exceptions
    return exceptions.get(day, day.weekday() < 5)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same local time of day on the `days`-th working day after start's local date."""
    if days <= 0:
        return start
    local = to_local(start)
    # Generous window: even a Spring Festival week cannot stretch 3× the count plus two weeks.
    exceptions = _exceptions(local.date(), local.date() + timedelta(days=days * 3 + 14))
    day, counted = local.date(), 0
    while counted < days:
        day += timedelta(days=1)
        if is_workday(day, exceptions):
            counted += 1
    return local.replace(year=day.year, month=day.month, day=day.day)


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days in (start's local date, end's local date]: how long a paused clock stood still."""
    first, last = to_local(start).date(), to_local(end).date()
    if last <= first:
        return 0
    exceptions = _exceptions(first, last)
    return sum(1 for n in range(1, (last - first).days + 1) if is_workday(first + timedelta(days=n), exceptions))


class WorkingCalendar:
    """Working days for many rows at once (exports): the calendar's exceptions are read once."""

    def __init__(self) -> None:
        self.exceptions = dict(db.session.execute(select(CalendarDay.day, CalendarDay.is_workday)).all())

    def between(self, start: datetime, end: datetime) -> int:
        """Same count as working_days_between."""
        first, last = to_local(start).date(), to_local(end).date()
        if last <= first:
            return 0
        weeks, rest = divmod((last - first).days, 7)
        count = weeks * 5 + sum(1 for n in range(1, rest + 1) if (first + timedelta(days=n)).weekday() < 5)
        for day, workday in self.exceptions.items():
            if first < day <= last and workday != (day.weekday() < 5):
                count += 1 if workday else -1
        return count
