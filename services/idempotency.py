"""Idempotency-Key records: claim a key, store the first response, replay it, expire after 24 h.

Records are written in their own short transactions (a session of their own), so a concurrent
duplicate sees the claim at once and the claim survives whatever the request's own transaction does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.db import db, utcnow
from services.errors import Conflict, ValidationFailed
from services.models import IdempotencyRecord

TTL = timedelta(hours=24)


class KeyReused(ValidationFailed):
    code = "idempotency_key_reused"
    default_detail = "该 Idempotency-Key 已用于另一个请求"


class RequestInProgress(Conflict):
    code = "request_in_progress"
    default_detail = "相同 Idempotency-Key 的请求正在处理中，请稍后重试"


class RequestApplied(Conflict):
    """The first request's write committed but its answer was never stored (its server died in between): the
    write stands, so it must not run again, and waiting will not bring the answer back."""
    code = "request_applied"
    default_detail = "相同 Idempotency-Key 的请求已经生效，但当时的应答未能送达：请刷新查看结果，不要重复提交"


@dataclass
class Replay:
    status: int
    body: str
    headers: dict


def _session() -> Session:
    return Session(db.engine, expire_on_commit=False)


def claim(*, user_key: str, key: str, fingerprint: str, owner_id: int | None,
          stale_after: timedelta = timedelta(seconds=60)) -> int | Replay:
    """The new record's id when this request may run; a Replay of the first response; or raises.
    A claim still in progress after `stale_after` belonged to a worker that died: it is taken over. One whose
    write committed but whose answer never came is RequestApplied after `stale_after` (RequestInProgress
    before). Raises KeyReused, RequestInProgress, RequestApplied."""
    with _session() as session:
        for _ in range(2):
            record = IdempotencyRecord(user_key=user_key, key=key, fingerprint=fingerprint, owner_id=owner_id)
            session.add(record)
            try:
                session.commit()
                return record.id
            except IntegrityError:
                session.rollback()
            existing = session.scalar(select(IdempotencyRecord).where(
                IdempotencyRecord.user_key == user_key, IdempotencyRecord.key == key))
            if existing is None:
                continue  # released meanwhile: try again
            # Only a claim whose request never committed may be taken over: once the request's own
            # transaction has marked it "committed", running it again would apply the write twice.
            abandoned = existing.state == "in_progress" and existing.created_at < utcnow() - stale_after
            if existing.created_at < utcnow() - TTL or abandoned:
                session.delete(existing)
                session.commit()
                continue
            if existing.fingerprint != fingerprint:
                raise KeyReused()
            if existing.state == "committed" and existing.created_at < utcnow() - stale_after:
                raise RequestApplied()
            if existing.state != "done":
                raise RequestInProgress()
            return Replay(existing.response_status, existing.response_body or "", existing.response_headers or {})
        raise RequestInProgress()


def mark_committed(session, record_id: int) -> None:
    """Inside the request's own transaction, just before it commits: the write and this mark stand or
    fall together."""
    session.execute(update(IdempotencyRecord).where(IdempotencyRecord.id == record_id,
                                                    IdempotencyRecord.state == "in_progress")
                    .values(state="committed"))


def complete(record_id: int, *, status: int, body: str, headers: dict) -> None:
    """Store the answer of a finished request under its key, in the store's own transaction."""
    with _session() as session:  # one UPDATE, no read first (a released record updates nothing)
        session.execute(update(IdempotencyRecord).where(IdempotencyRecord.id == record_id).values(
            state="done", response_status=status, response_body=body, response_headers=headers,
            completed_at=utcnow()))
        session.commit()


def release(record_id: int) -> None:
    """Forget a claim whose request failed (5xx, exception): the client may retry with the same key."""
    with _session() as session:
        session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id,
                                                        IdempotencyRecord.state == "in_progress"))
        session.commit()


def purge_expired() -> int:
    """Delete the records older than the TTL; how many went."""
    with _session() as session:
        result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - TTL))
        session.commit()
        return result.rowcount or 0
