"""The outbox (deliveries through SMS, 企业微信, 钉钉 and webhooks), users' channels, one-time feedback links,
editable message templates and the reminders already sent."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import UTCDateTime, db, utcnow
from services.models.base import Timestamped, Versioned

CHANNELS = ("sms", "wecom", "dingtalk", "webhook")
OUTBOX_STATES = ("pending", "sending", "sent", "dead")


class OutboxMessage(db.Model):
    """One message to one address through one channel, written in the transaction of the change that causes
    it; workers claim it (state `sending` with a lease), send it and mark it `sent`, or retry with backoff
    until it is `dead`."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable across retries: receivers drop duplicates on it (X-LQT-Message-Id).
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(48))
    channel: Mapped[str] = mapped_column(String(16), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    recipient: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(512))
    template_id: Mapped[str | None] = mapped_column(String(64))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column()
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", lazy="selectin")


class UserChannels(Versioned, db.Model):
    """A user's own addresses on each channel, and whether quiet hours hold their non-urgent SMS."""

    __tablename__ = "user_channels"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    sms: Mapped[str | None] = mapped_column(String(20))
    wecom: Mapped[str | None] = mapped_column(String(64))
    dingtalk: Mapped[str | None] = mapped_column(String(64))
    quiet_hours: Mapped[bool] = mapped_column(Boolean, default=True)


class FeedbackLink(db.Model):
    """A signed one-time link that lets the enterprise's contact rate a resolution without an account."""

    __tablename__ = "feedback_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[str | None] = mapped_column(String(32))


class MessageTemplate(Timestamped, db.Model):
    """An admin's wording of one event type's message (the default lives in services/delivery/templates.py)."""

    __tablename__ = "message_templates"

    kind: Mapped[str] = mapped_column(String(48), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    sms: Mapped[str] = mapped_column(String(200))
    sms_template_id: Mapped[str | None] = mapped_column(String(64))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class DeadlineNotice(db.Model):
    """A deadline message already sent: the scan sends each (kind, subject, phase, deadline) once."""

    __tablename__ = "deadline_notices"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "phase", "deadline_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column()
    phase: Mapped[str] = mapped_column(String(16))
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
