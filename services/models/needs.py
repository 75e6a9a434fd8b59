"""对接: structured needs, financial institutions and their offers, supply–sales matches, placements, 对接会."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from services.db import UTCDateTime, db, utcnow
from services.models.base import Timestamped, Versioned

NEED_KINDS = ("financing", "labor", "supply", "sales")
NEED_STATUSES = ("open", "matched", "fulfilled", "withdrawn", "expired")
NEED_OPEN_STATUSES = ("open", "matched")
GUARANTEES = ("credit", "collateral", "guarantor")
INSTITUTION_KINDS = ("bank", "guarantor", "microcredit")
OFFER_STATUSES = ("open", "accepted", "closed", "granted", "declined")
MATCH_STATUSES = ("requested", "accepted", "declined", "signed", "no_deal")
SESSION_KINDS = ("financing", "labor", "supply_sales")
OUTCOME_RESULTS = ("agreement", "no_agreement")
Amount = Numeric(14, 2, asdecimal=False)


class Institution(Versioned, db.Model):
    """A bank, guarantor or microcredit company; its users see financing needs of its service regions."""

    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    service_regions = relationship("Region", secondary="institution_regions", lazy="selectin",
                                   order_by="Region.id")

    @property
    def region_ids(self) -> list[int]:
        """The ids of the regions the institution serves."""
        return [r.id for r in self.service_regions]


class InstitutionRegion(db.Model):
    __tablename__ = "institution_regions"

    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"), primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), primary_key=True, index=True)


class Need(Versioned, db.Model):
    """需求: what an enterprise asks for (financing, labor) or buys and sells (supply, sales)."""

    __tablename__ = "needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    # Product words (jieba) of supply/sales needs, for the catalogue search and the candidates.
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    product: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), index=True, default="open")
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problems.id"), index=True)
    # The enterprise's county when filed: the need's place in the region tree.
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    filer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The date the need is for (financing: none; labor: start_by; supply: by_date; sales: none).
    due_on: Mapped[date | None] = mapped_column(Date)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enterprise = relationship("Enterprise", lazy="selectin")
    region = relationship("Region", lazy="selectin")
    problem = relationship("Problem", backref=backref("needs", viewonly=True, order_by="Need.id"))
    offers: Mapped[list["Offer"]] = relationship(back_populates="need", order_by="Offer.id")


class NeedEvent(db.Model):
    """Every step of a need, its offers, matches, placements and session outcomes: figures are read from these."""

    __tablename__ = "need_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # create | update | withdraw | expire | offer | offer_accepted | offer_closed | granted | declined |
    # interest | match_accepted | match_declined | signed | no_deal | placement | session_outcome
    action: Mapped[str] = mapped_column(String(32), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"))
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id"))
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), index=True)
    # 万元 asked (create of a financing need), offered, granted or agreed.
    amount_10k: Mapped[float | None] = mapped_column(Amount)
    # Posts asked (create of a labor need) or workers placed.
    count: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor = relationship("User", lazy="selectin")


class Offer(Versioned, db.Model):
    """授信意向: an institution's offer on a financing need, and the credit it then granted or declined."""

    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    amount_10k: Mapped[float] = mapped_column(Amount)
    rate_pct: Mapped[float] = mapped_column(Numeric(6, 3, asdecimal=False))
    term_months: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    closed_reason: Mapped[str | None] = mapped_column(Text)
    granted_amount_10k: Mapped[float | None] = mapped_column(Amount)
    granted_on: Mapped[date | None] = mapped_column(Date)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    need: Mapped[Need] = relationship(back_populates="offers")
    institution = relationship("Institution", lazy="selectin")


class Match(Versioned, db.Model):
    """意向对接: an enterprise's interest in a catalogue need (supply meets sales), and how it ended."""

    __tablename__ = "matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The catalogue need the interest is in, and the interested side (its enterprise, its own need if any).
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    own_need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="requested", index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    amount_10k: Mapped[float | None] = mapped_column(Amount)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    need = relationship("Need", foreign_keys=[need_id], lazy="selectin")
    own_need = relationship("Need", foreign_keys=[own_need_id], lazy="selectin")
    enterprise = relationship("Enterprise", lazy="selectin")


class Placement(Timestamped, db.Model):
    """招聘登记: workers placed on one post of a labor need."""

    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    post_index: Mapped[int] = mapped_column(Integer)
    placed: Mapped[int] = mapped_column(Integer)
    placed_on: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("matching_sessions.id"))


class MatchingSession(Versioned, db.Model):
    """对接会: a 银企对接会, 招聘会 or 产供销对接会 with the needs and participants invited."""

    __tablename__ = "matching_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(String(200))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    institution_ids: Mapped[list] = mapped_column(JSON, default=list)
    enterprise_ids: Mapped[list] = mapped_column(JSON, default=list)

    region = relationship("Region", lazy="selectin")
    organiser = relationship("User", lazy="selectin")
    entries: Mapped[list["SessionNeed"]] = relationship(back_populates="session", order_by="SessionNeed.id",
                                                        lazy="selectin")

    @property
    def need_ids(self) -> list[int]:
        """The ids of the needs invited to the session."""
        return [entry.need_id for entry in self.entries]


class SessionNeed(db.Model):
    """A need invited to a session, and the outcome recorded against it afterwards."""

    __tablename__ = "session_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("matching_sessions.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    result: Mapped[str | None] = mapped_column(String(16))
    amount_10k: Mapped[float | None] = mapped_column(Amount)
    placed: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[MatchingSession] = relationship(back_populates="entries")
    need = relationship("Need", lazy="selectin")

    __table_args__ = (UniqueConstraint("session_id", "need_id"),)
