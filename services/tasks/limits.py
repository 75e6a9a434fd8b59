"""Time limits of the task cycle: configuration, set once at start-up by configure()."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TaskLimits:
    sign_days: int = 1  # 签收时限: working days after dispatch


limits = TaskLimits()


def configure(*, sign_days: int | None = None) -> None:
    """Set the task limits from configuration, once at start-up."""
    if sign_days is not None:
        limits.sign_days = sign_days
