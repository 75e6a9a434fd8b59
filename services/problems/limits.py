"""Time limits of the workflow: configuration, set once at start-up by configure()."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Limits:
    days: dict[str, int] = field(default_factory=lambda: {"county": 10, "prefecture": 20, "province": 30})
    urgent_days: dict[str, int] = field(default_factory=lambda: {"county": 3, "prefecture": 7, "province": 15})
    acceptance_days: int = 2
    close_without_feedback_days: int = 15


limits = Limits()


def configure(*, days: dict | None = None, urgent_days: dict | None = None, acceptance_days: int | None = None,
              close_without_feedback_days: int | None = None) -> None:
    """Override the handling, acceptance and close-without-feedback limits (in working days)."""
    if days:
        limits.days = {**limits.days, **days}
    if urgent_days:
        limits.urgent_days = {**limits.urgent_days, **urgent_days}
    if acceptance_days is not None:
        limits.acceptance_days = acceptance_days
    if close_without_feedback_days is not None:
        limits.close_without_feedback_days = close_without_feedback_days


def handling_days(level: str, urgency: str) -> int:
    """The working days a problem at this level and urgency has to be handled."""
    return (limits.urgent_days if urgency == "urgent" else limits.days)[level]
