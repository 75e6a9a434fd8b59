"""Market entities, their tag and status history, and liaison/leader assignments."""

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import UTCDateTime, db, utcnow
from services.masking import mask_phone
from services.models.base import Timestamped, Versioned

ENTITY_TYPES = ("enterprise", "individual", "cooperative", "family_farm")
SCALES = ("large", "medium", "small", "micro")
OPERATING_STATUSES = ("halted", "partial", "resumed", "full_capacity")
TAGS = ("key", "above_scale", "provincial_guarantee", "specialized")
INDUSTRIES = tuple("ABCDEFGHIJKLMNOPQRST")
ASSIGNMENT_KINDS = ("liaison", "leader")


class Enterprise(Versioned, db.Model):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    entity_type: Mapped[str] = mapped_column(String(16))
    scale: Mapped[str] = mapped_column(String(8))
    industry: Mapped[str] = mapped_column(String(1), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    contact_name: Mapped[str] = mapped_column(String(64), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    operating_status: Mapped[str] = mapped_column(String(16), default="resumed", index=True)
    employees: Mapped[int] = mapped_column(Integer, default=0)
    registered_on: Mapped[date | None] = mapped_column(Date)
    deregistered_on: Mapped[date | None] = mapped_column(Date)

    region = relationship("Region", lazy="selectin")  # region_name beside region_id
    tag_rows: Mapped[list["EnterpriseTag"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="EnterpriseTag.tag"
    )

    # Set per request by services.enterprises.with_contact_visibility(); contacts are masked unless revealed.
    reveal_contact = False

    @property
    def tags(self) -> list[str]:
        """The enterprise's tag names."""
        return [row.tag for row in self.tag_rows]

    @property
    def shown_contact_phone(self) -> str | None:
        """The contact phone in full when the reader may see it (reveal_contact), else masked."""
        return self.contact_phone if self.reveal_contact else mask_phone(self.contact_phone)


class EnterpriseTag(db.Model):
    __tablename__ = "enterprise_tags"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class EnterpriseChange(db.Model):
    """History of tags, operating status and employees: assessment and warnings read it."""

    __tablename__ = "enterprise_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(String(255))
    new_value: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(32), default="edit")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor = relationship("User", lazy="selectin")


class Assignment(Timestamped, db.Model):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("user_id", "enterprise_id", "kind", "started_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="liaison")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id], lazy="selectin")
    enterprise = relationship("Enterprise", lazy="selectin")
    department = relationship("Department", lazy="selectin")
