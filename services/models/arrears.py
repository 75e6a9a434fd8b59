"""清欠: arrears owed to private and small enterprises, their repayment plans, repayments and events."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import UTCDateTime, db, utcnow
from services.models.base import Versioned

DEBTOR_KINDS = ("government", "institution", "soe", "large_enterprise")
ARREARS_STATUSES = ("open", "repaying", "cleared", "closed")
CONFIRM_METHODS = ("self", "phone", "visit")
# Amounts in 万元 with two decimals: exact in the database (NUMERIC), exact in Python (Decimal).
AMOUNT = Numeric(14, 2)
ZERO = Decimal("0.00")


class ArrearsCase(Versioned, db.Model):
    """拖欠账款: what a debtor owes a creditor enterprise; undisputed = amount − disputed."""

    __tablename__ = "arrears_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    filer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    debtor_name: Mapped[str] = mapped_column(String(200))
    debtor_kind: Mapped[str] = mapped_column(String(24), index=True)
    debtor_region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    origin: Mapped[str] = mapped_column(Text, default="")
    amount_10k: Mapped[Decimal] = mapped_column(AMOUNT)
    disputed_10k: Mapped[Decimal] = mapped_column(AMOUNT, default=ZERO)
    # The sum of the repayments, kept in the same transaction as each repayment (lists and figures read it).
    repaid_10k: Mapped[Decimal] = mapped_column(AMOUNT, default=ZERO)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True, default="open")
    complex: Mapped[bool] = mapped_column(Boolean, default=False)
    supervised: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    supervised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supervising_region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirm_method: Mapped[str | None] = mapped_column(String(8))
    confirm_comment: Mapped[str | None] = mapped_column(Text)

    creditor = relationship("Enterprise", lazy="selectin")
    region = relationship("Region", foreign_keys=[region_id], lazy="selectin")
    debtor_region = relationship("Region", foreign_keys=[debtor_region_id], lazy="selectin")
    supervising_region = relationship("Region", foreign_keys=[supervising_region_id], lazy="selectin")
    plan: Mapped[list["ArrearsPlanMonth"]] = relationship(
        back_populates="case", order_by="ArrearsPlanMonth.period", cascade="all, delete-orphan")
    repayments: Mapped[list["ArrearsRepayment"]] = relationship(
        back_populates="case", order_by="(ArrearsRepayment.paid_on, ArrearsRepayment.id)",
        cascade="all, delete-orphan")
    events: Mapped[list["ArrearsEvent"]] = relationship(
        back_populates="case", order_by="ArrearsEvent.id", cascade="all, delete-orphan")

    @property
    def undisputed_10k(self) -> Decimal:
        """The amount owed less the disputed part (万元)."""
        return (self.amount_10k or ZERO) - (self.disputed_10k or ZERO)

    @property
    def remaining_10k(self) -> Decimal:
        """What of the undisputed amount is still unpaid (万元)."""
        return self.undisputed_10k - (self.repaid_10k or ZERO)


class ArrearsPlanMonth(db.Model):
    """倒排清偿计划: the amount to be repaid in one month."""

    __tablename__ = "arrears_plan_months"
    __table_args__ = (UniqueConstraint("case_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("arrears_cases.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    amount_10k: Mapped[Decimal] = mapped_column(AMOUNT)

    case: Mapped[ArrearsCase] = relationship(back_populates="plan")


class ArrearsRepayment(db.Model):
    __tablename__ = "arrears_repayments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("arrears_cases.id", ondelete="CASCADE"), index=True)
    paid_on: Mapped[date] = mapped_column(Date, index=True)
    amount_10k: Mapped[Decimal] = mapped_column(AMOUNT)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[ArrearsCase] = relationship(back_populates="repayments")
    recorded_by = relationship("User", lazy="selectin")


class ArrearsEvent(db.Model):
    __tablename__ = "arrears_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("arrears_cases.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    case: Mapped[ArrearsCase] = relationship(back_populates="events")
    actor = relationship("User", lazy="selectin")
