"""一企一策: one row per saved version of an enterprise's plan."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import UTCDateTime, db
from services.models.base import Timestamped

PLAN_STATUSES = ("draft", "approved")


class EnterprisePlan(Timestamped, db.Model):
    __tablename__ = "enterprise_plans"
    __table_args__ = (UniqueConstraint("enterprise_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    situation: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[list] = mapped_column(JSON, default=list)
    contingency: Mapped[str] = mapped_column(Text, default="")
    problem_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Names beside ids: one IN query per list.
    enterprise = relationship("Enterprise", lazy="selectin")
    created_by = relationship("User", foreign_keys=[created_by_id], lazy="selectin")
    approved_by_user = relationship("User", foreign_keys=[approved_by_id], lazy="selectin")
