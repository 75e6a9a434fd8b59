"""Accounts and revoked tokens."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import UTCDateTime, db, utcnow
from services.models.base import Versioned
from services.roles import ROLES  # noqa: F401 - the vocabulary, re-exported for the schemas


class User(Versioned, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Tokens issued before this instant are dead (password change, admin reset).
    tokens_valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The session (login) kept alive across a password change: the caller's own.
    kept_session: Mapped[str | None] = mapped_column(String(64))
    password_history: Mapped[list] = mapped_column(JSON, default=list)
    mfa_secret: Mapped[str | None] = mapped_column(String(64))
    mfa_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # RFC 6238 §5.2: the last accepted time step; a code is accepted once.
    mfa_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # A one-time enrolment code issued by an admin (or `flask mfa-enrolment`): its SHA-256 and expiry.
    mfa_enrolment_hash: Mapped[str | None] = mapped_column(String(64))
    mfa_enrolment_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    region = relationship("Region")
    department = relationship("Department")
    enterprise = relationship("Enterprise", foreign_keys=[enterprise_id])
    institution = relationship("Institution")


class RevokedToken(db.Model):
    __tablename__ = "revoked_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    jti: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserSession(db.Model):
    """One signed-in session (the tokens' `sid`): its last activity drives the idle timeout."""

    __tablename__ = "user_sessions"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by logout or by the reuse of a rotated refresh token: every token of the session is dead.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginFailure(db.Model):
    """Failed sign-ins for usernames that have no account, counted like an account's so that the
    lockout answers the same whether or not the user exists."""

    __tablename__ = "login_failures"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
