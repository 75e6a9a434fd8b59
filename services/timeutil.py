"""Time zone of presentation and parsing (stored times are UTC)."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

_zone = ZoneInfo("Asia/Shanghai")


def set_zone(name: str) -> None:
    """Set the local time zone (the app's configuration)."""
    global _zone
    _zone = ZoneInfo(name)


def zone() -> ZoneInfo:
    """The local time zone."""
    return _zone


def to_local(value: datetime) -> datetime:
    """The moment in the local time zone (a naive value is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(_zone)


def from_input(value: datetime) -> datetime:
    """A client time without offset is in the configured zone; returned in UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_zone)
    return value.astimezone(timezone.utc)


def local_today() -> date:
    """Today's date in the local time zone."""
    return datetime.now(_zone).date()


def day_bounds_utc(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day, in UTC."""
    start = datetime.combine(day, time.min, tzinfo=_zone)
    end = datetime.combine(date.fromordinal(day.toordinal() + 1), time.min, tzinfo=_zone)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def as_utc(value: datetime | None) -> datetime | None:
    """An aware UTC instant; a naive value is taken as UTC (as the database columns store them)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value
