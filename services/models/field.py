"""Field work: visits, photos and monthly status reports."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Float, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import UTCDateTime, db
from services.models.base import Timestamped, Versioned

VISIT_METHODS = ("on_site", "phone", "wechat", "online")


class Visit(Versioned, db.Model):
    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    liaison_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    operating_status: Mapped[str | None] = mapped_column(String(16))
    employees: Mapped[int | None] = mapped_column(Integer)
    # On-site visits only (services.location): ok | far | poor_accuracy | missing, judged when filed.
    location_check: Mapped[str | None] = mapped_column(String(16), index=True)

    # Names beside ids (enterprise_name, liaison_name): one IN query per list.
    enterprise = relationship("Enterprise", lazy="selectin")
    liaison = relationship("User", lazy="selectin")
    problems = relationship("Problem", viewonly=True, lazy="selectin", order_by="Problem.id")
    photos = relationship("Photo", viewonly=True, lazy="selectin", order_by="Photo.id")

    @property
    def problem_ids(self) -> list[int]:
        """Ids of the problems raised during this visit."""
        return [p.id for p in self.problems]


class Photo(Timestamped, db.Model):
    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problems.id"), index=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    thumbnail_name: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)


class StatusReport(Versioned, db.Model):
    __tablename__ = "status_reports"
    __table_args__ = (UniqueConstraint("enterprise_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    operating_status: Mapped[str] = mapped_column(String(16))
    employees: Mapped[int] = mapped_column(Integer)
    revenue_10k: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    capacity_pct: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    enterprise = relationship("Enterprise", lazy="selectin")
    filed_by = relationship("User", lazy="selectin")
