"""日调度 figures kept by the write path: per region and local day, and each problem's share of them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db import UTCDateTime, db


class RegionDayFigure(db.Model):
    """One figure of one region on one local day. Names `c.*` are changes of a running count (the count on
    a day is the sum of its changes up to that day; the row of day BASE holds the sum of all of them), names
    `p.*` are what happened on that day (filed, accepted, resolved, closed, visits)."""

    __tablename__ = "region_day_figures"

    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(48), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class ProblemFigure(db.Model):
    """What one problem adds to region_day_figures (so a change can take back exactly its old share), and
    the moment from which it counts as overdue (the dashboard of today takes back those not overdue yet)."""

    __tablename__ = "problem_figures"

    problem_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    region_id: Mapped[int] = mapped_column(Integer)
    overdue_from: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # [[ISO day, name, n], …]: this problem's changes to its region's figures.
    marks: Mapped[list] = mapped_column(JSON, default=list)


class EnterpriseFigure(db.Model):
    """What one enterprise adds to region_day_figures: the operating status it had on each day it existed."""

    __tablename__ = "enterprise_figures"

    enterprise_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    region_id: Mapped[int] = mapped_column(Integer)
    marks: Mapped[list] = mapped_column(JSON, default=list)


class TaskFigure(db.Model):
    """What one department task adds to its problem's region's figures (by current status and department, on the
    day it was dispatched; open and overdue, on the day both its dispatch and its deadline had passed; awaiting
    signature past its signing deadline, likewise), and the deadlines themselves: the dashboard of today takes
    back those still to come."""

    __tablename__ = "task_figures"

    task_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    problem_id: Mapped[int] = mapped_column(Integer, index=True)
    region_id: Mapped[int] = mapped_column(Integer)
    overdue_from: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    sign_overdue_from: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    marks: Mapped[list] = mapped_column(JSON, default=list)


class KeyFigure(db.Model):
    """What one key enterprise (tag `key`) adds to its region's figures: itself (`c.key`, on every day) and, for
    each local month it was visited in, the day of its first visit then (`p.key_visited`): the dashboard's key
    enterprises and those visited this month."""

    __tablename__ = "key_figures"

    enterprise_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    region_id: Mapped[int] = mapped_column(Integer)
    marks: Mapped[list] = mapped_column(JSON, default=list)
