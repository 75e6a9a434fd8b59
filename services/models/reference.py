"""Regions, departments and the working-day calendar."""

from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import db
from services.models.base import Versioned

REGION_LEVELS = ("province", "prefecture", "county")
LEVEL_RANK = {"county": 0, "prefecture": 1, "province": 2}


class Region(Versioned, db.Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    # Materialised path of ids, "/1/3/7/": a subtree is a prefix match.
    path: Mapped[str] = mapped_column(String(255), index=True, default="")

    parent: Mapped["Region | None"] = relationship(remote_side=[id])


class Department(Versioned, db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    industries: Mapped[list] = mapped_column(JSON, default=list)

    region: Mapped[Region] = relationship(lazy="selectin")


class CalendarDay(db.Model):
    """An exception to the Monday–Friday rule: a statutory holiday or a make-up working day (调休)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(64), default="")
