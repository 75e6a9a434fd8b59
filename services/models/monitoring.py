"""Early warnings: at most one open warning per (type, subject)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import UTCDateTime, db, utcnow
from services.models.base import Versioned

WARNING_TYPES = ("employment_drop", "halted", "no_visit", "acceptance_overdue", "overdue", "reopened",
                 "arrears_behind", "task_unsigned", "task_overdue", "supervision_overdue")
SEVERITIES = ("yellow", "orange", "red")
WARNING_STATES = ("open", "acknowledged", "closed")


class EarlyWarning(Versioned, db.Model):
    __tablename__ = "warnings"
    __table_args__ = (
        Index(
            "uq_warnings_open_subject",
            "type",
            "subject",
            unique=True,
            sqlite_where=text("state != 'closed'"),
            postgresql_where=text("state != 'closed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(32), index=True)
    severity: Mapped[str] = mapped_column(String(8), index=True)
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    # "enterprise:12", "problem:34" or "task:56"
    subject: Mapped[str] = mapped_column(String(48))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problems.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledge_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Names beside ids: one IN query per list.
    enterprise = relationship("Enterprise", lazy="selectin")
    problem = relationship("Problem", lazy="selectin")
    region = relationship("Region", lazy="selectin")
    acknowledged_by = relationship("User", lazy="selectin")
