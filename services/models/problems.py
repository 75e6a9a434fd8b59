"""The problem ledger: problems, their events, ledger numbering and common problems."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, event, inspect, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import UTCDateTime, db, utcnow
from services.models.base import Versioned

PROBLEM_SOURCES = ("liaison", "enterprise", "coordinator")
PROBLEM_CATEGORIES = ("labor", "financing", "production", "supply", "sales", "logistics", "policy", "other")
PROBLEM_SCOPES = ("county", "cross_county", "provincial")
URGENCIES = ("normal", "urgent")
# Every status a problem can be in, and the sets the workflow table and the ledger's readers use.
PROBLEM_STATUSES = ("pending", "in_progress", "awaiting_info", "resolved", "closed", "rejected", "withdrawn")
# Ordered as PROBLEM_STATUSES, so they serve SQL `IN` lists as well as membership tests.
WORKING = ("pending", "in_progress", "awaiting_info")   # a task force works on it
OPEN = (*WORKING, "resolved")                           # not yet settled for good
FINAL = ("closed", "rejected", "withdrawn")
SATISFACTIONS = ("satisfied", "basically_satisfied", "unsatisfied")


# The region levels whose ids a problem carries from its enterprise (the scope a regional actor's list walks).
SCOPE_LEVELS = ("province", "prefecture", "county")


def _scope_indexes() -> tuple[Index, ...]:
    """Per level: (level_id, id), and with status, category and both before id, so that a regional actor's
    list, plain or filtered by one status and/or one category, is an index walk in id order (no sort)."""
    indexes = []
    for level in SCOPE_LEVELS:
        column = f"{level}_id"
        indexes += [Index(f"ix_problems_{level}_scope", column, "id"),
                    Index(f"ix_problems_{level}_scope_status", column, "status", "id"),
                    Index(f"ix_problems_{level}_scope_category", column, "category", "id"),
                    Index(f"ix_problems_{level}_scope_status_category", column, "status", "category", "id")]
    # An enterprise's problems, newest first, as an index walk on both databases.
    indexes.append(Index("ix_problems_enterprise_id", "enterprise_id", "id"))
    return tuple(indexes)


class Problem(Versioned, db.Model):
    __tablename__ = "problems"
    __table_args__ = _scope_indexes()

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))  # ix_problems_enterprise_id: with id
    source: Mapped[str] = mapped_column(String(16))
    filer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    category: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(8), default="normal")
    level: Mapped[str] = mapped_column(String(16), index=True)
    owning_region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    # The status to return to when info is supplied.
    status_before_info: Mapped[str | None] = mapped_column(String(16))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acceptance_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    supervised: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    supervised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    supervision_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supervision_note: Mapped[str | None] = mapped_column(Text)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    resolution: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[str | None] = mapped_column(String(24))
    closed_without_feedback: Mapped[bool] = mapped_column(Boolean, default=False)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    # The body a rejected problem is referred to (e.g. 12345 热线, 法院), shown to the enterprise.
    referred_to: Mapped[str | None] = mapped_column(String(200))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("problems.id"))
    extension_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    common_problem_id: Mapped[int | None] = mapped_column(ForeignKey("common_problems.id"), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    info_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The enterprise's region ancestry (its county and the prefecture and province above), copied from the
    # enterprise when the problem is filed and whenever the enterprise moves (services/problems/scope.py):
    # a regional actor's scope is one equality on its level's column. NULL only between a bulk insert and
    # fill_problem_regions() (such rows are then out of every regional actor's sight).
    province_id: Mapped[int | None] = mapped_column(Integer)
    prefecture_id: Mapped[int | None] = mapped_column(Integer)
    county_id: Mapped[int | None] = mapped_column(Integer)

    # Names beside ids (enterprise_name, owning_region_name, department_name): one IN query per list.
    enterprise = relationship("Enterprise", lazy="selectin")
    owning_region = relationship("Region", lazy="selectin")
    department = relationship("Department", lazy="selectin")
    # Its photos (its own uploads and its visit's): one IN query each per list or sync page.
    own_photos = relationship("Photo", primaryjoin="Photo.problem_id == Problem.id", viewonly=True,
                              order_by="Photo.id", lazy="selectin")
    visit_photos = relationship("Photo", primaryjoin="and_(Problem.visit_id.is_not(None), "
                                "foreign(Photo.visit_id) == Problem.visit_id)", viewonly=True,
                                order_by="Photo.id", lazy="selectin")
    events: Mapped[list["ProblemEvent"]] = relationship(
        back_populates="problem", order_by="ProblemEvent.id", cascade="all, delete-orphan"
    )
    stints: Mapped[list["ProblemStint"]] = relationship(
        back_populates="problem", order_by="ProblemStint.id", cascade="all, delete-orphan"
    )
    # 派单: the departments' tasks, oldest first (services/models/tasks.py).
    tasks: Mapped[list["Task"]] = relationship(  # noqa: F821
        back_populates="problem", order_by="Task.id", cascade="all, delete-orphan"
    )


    @property
    def photos(self) -> list:
        """Its own uploads and those of the visit it was raised in, oldest first."""
        return sorted({p.id: p for p in [*self.visit_photos, *self.own_photos]}.values(), key=lambda p: p.id)


def region_ancestry(path: str | None) -> dict[str, int | None]:
    """{"province_id", "prefecture_id", "county_id"} of a region's materialised path "/1/3/7/" (its ids from the
    province down: regions have exactly these three levels, each under one of the level above)."""
    ids = [int(part) for part in (path or "").strip("/").split("/") if part]
    return {f"{level}_id": ids[i] if i < len(ids) else None for i, level in enumerate(SCOPE_LEVELS)}


def _enterprise_region_path(target: Problem, connection) -> str | None:
    """The path of the problem's enterprise's region: from the loaded enterprise when the session holds it
    (filing loads it with its region: no statement), else one SELECT."""
    from services.models.enterprises import Enterprise
    from services.models.reference import Region

    enterprise = target.__dict__.get("enterprise")
    session = inspect(target).session
    if enterprise is None and session is not None:
        enterprise = session.identity_map.get(session.identity_key(Enterprise, target.enterprise_id))
    region = enterprise.__dict__.get("region") if enterprise is not None else None
    if region is not None and region.id == enterprise.region_id and region.path:
        return region.path
    return connection.scalar(select(Region.path).join(Enterprise, Enterprise.region_id == Region.id)
                             .where(Enterprise.id == target.enterprise_id))


@event.listens_for(Problem, "before_insert")
def _copy_enterprise_region(_mapper, connection, target: Problem) -> None:
    """A new problem carries its enterprise's county, prefecture and province (the scope its readers walk)."""
    if target.county_id is None and target.enterprise_id is not None:
        for key, value in region_ancestry(_enterprise_region_path(target, connection)).items():
            setattr(target, key, value)


class ProblemEvent(db.Model):
    __tablename__ = "problem_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    from_level: Mapped[str | None] = mapped_column(String(16))
    to_level: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    problem: Mapped[Problem] = relationship(back_populates="events")
    actor = relationship("User")


class ProblemStint(db.Model):
    """办理段: one task force's hold of a problem, from arrival until it left (and by which action).
    Never deleted or rewritten once ended: a missed deadline stays on that task force's record."""

    __tablename__ = "problem_stints"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acceptance_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # escalate | return | reclassify | feedback | close | reject | withdraw
    left_by: Mapped[str | None] = mapped_column(String(32))
    # Wall-clock seconds the stint spent awaiting_info (its deadlines moved by the working days of it).
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)

    problem: Mapped[Problem] = relationship(back_populates="stints")
    region = relationship("Region")

    @property
    def region_name(self) -> str | None:
        """Name of the region that held the problem during this stint."""
        return self.region.name if self.region is not None else None


class ProblemCount(db.Model):
    """How many problems have this county (and its prefecture and province), status and category: kept exact in
    the writing transaction by database triggers on `problems` (migration 0010_problem_scope), so the ledger's
    `?count=true` sums a few of these rows instead of counting a province. 0 stands for a NULL region id."""

    __tablename__ = "problem_counts"
    # The primary key serves a province's sum; a prefecture's and a county's have their own.
    __table_args__ = (Index("ix_problem_counts_prefecture_id", "prefecture_id"),
                      Index("ix_problem_counts_county_id", "county_id"))

    province_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    prefecture_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    county_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class LedgerCounter(db.Model):
    """Per-year counter for ledger numbers on SQLite (upserted while a number is taken); on PostgreSQL the
    year's sequence ledger_number_<year> numbers instead, starting after this row's `last`."""

    __tablename__ = "ledger_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class CommonProblem(Versioned, db.Model):
    __tablename__ = "common_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    members = relationship("Problem", viewonly=True, order_by="Problem.id")
    region = relationship("Region", lazy="selectin")

    @property
    def problem_ids(self) -> list[int]:
        """Ids of the problems grouped in this common problem."""
        return [p.id for p in self.members]
