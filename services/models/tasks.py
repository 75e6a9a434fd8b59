"""Departments' tasks (承办任务): a problem dispatched to a lead (主办) or assisting (协办) department."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import UTCDateTime, db
from services.models.base import Versioned

TASK_ROLES = ("lead", "assist")
LEAD, ASSIST = TASK_ROLES
TASK_STATUSES = ("dispatched", "signed", "refused", "reported", "recalled", "superseded", "reopened")
# A task still on its department's desk (or reported, waiting for the task force to resolve).
LIVE_TASK_STATUSES = ("dispatched", "signed", "reported", "reopened")
OPEN_TASK_STATUSES = ("dispatched", "signed", "reopened")


class Task(Versioned, db.Model):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    # The task force that dispatched it (the holding region at the time).
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    role: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), index=True)
    instructions: Mapped[str] = mapped_column(Text, default="")
    dispatched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sign_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # First signing and first report: the assessment reads these; a reopened task keeps them.
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Whether the first signing met its deadline (a reopened task gets a new sign deadline; this stays).
    signed_on_time: Mapped[bool | None] = mapped_column(Boolean)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str | None] = mapped_column(Text)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    recall_reason: Mapped[str | None] = mapped_column(Text)
    # When it left the department's desk for good (refused, recalled, superseded).
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)

    problem = relationship("Problem", back_populates="tasks")
    department = relationship("Department", lazy="selectin")
    region = relationship("Region")
