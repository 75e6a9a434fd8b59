"""The append-only, hash-chained audit log."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, FetchedValue, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db import UTCDateTime, db, utcnow


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)  # None until the sealer chains the row
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(32), index=True)
    object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str | None] = mapped_column(String(64))  # None until sealed
    hash: Mapped[str] = mapped_column(String(64))  # of the content alone until sealed, then chained
    # PostgreSQL: the writing transaction's id (a column default set by migration 0012, pg_current_xact_id());
    # the sealer chains a row only once that transaction is older than every running one. NULL on SQLite.
    txid: Mapped[int | None] = mapped_column(BigInteger, server_default=FetchedValue())


class AuditHead(db.Model):
    """One row: the chain's tip, created by the migrations. Only the sealer locks it, so sealers take turns and
    the chain never forks; writers never touch it."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class RefusalTally(db.Model):
    """Refused anonymous requests (401), one row per address, status and minute with a count.

    A flood of bad tokens costs one counter update per request, outside the chain's lock; the first
    refusal of each address and minute is also written to the chain (services/audit.py)."""

    __tablename__ = "refusal_tallies"

    minute: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    ip: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_path: Mapped[str | None] = mapped_column(String(200))
