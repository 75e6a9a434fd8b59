"""Idempotency-Key records: claim a key, store the first response, replay it, expire after 24 h.

The claim is an `INSERT … ON CONFLICT DO NOTHING` inside the request's own transaction, in the state
"committed": it becomes visible with the write and only with it (a write that rolls back takes its claim
along, so the client may retry at once), and a concurrent duplicate's claim waits on the key's unique entry
until the first transaction ends, then sees its record. The answer is stored after the commit in a short
transaction of its own (the store's session), as is the answer of a request that committed nothing (a
refusal), so a replay survives whatever the request's transaction did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.db import SINGLE_STATEMENT, db, utcnow
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


_single: dict = {}  # engine → the same engine with SINGLE_STATEMENT transactions


def _single_statement_session() -> Session:
    engine = db.engine
    if engine not in _single:
        _single[engine] = engine.execution_options(**{SINGLE_STATEMENT: True})
    return Session(_single[engine], expire_on_commit=False)


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(IdempotencyRecord)


def claim(session: Session, *, user_key: str, key: str, fingerprint: str, owner_id: int | None,
          stale_after: timedelta = timedelta(seconds=60)) -> int | Replay:
    """Claim the key inside `session`'s transaction (the request's): the new record's id when this request
    may run, a Replay of the first response, or raises. One statement when the key is new.

    An existing record: older than the TTL, or a claim of the former two-step protocol left "in_progress"
    after `stale_after` by a worker that died, is taken over; another body is KeyReused; a committed write
    whose answer is not stored yet is RequestInProgress, or RequestApplied after `stale_after` (its server died
    between the commit and the answer: the write stands and must not run again)."""
    for _ in range(2):
        claimed = session.execute(_insert(session).values(
            user_key=user_key, key=key, fingerprint=fingerprint, owner_id=owner_id, state="committed",
            created_at=utcnow()).on_conflict_do_nothing().returning(IdempotencyRecord.id)).scalar()
        if claimed is not None:
            return claimed
        existing = session.execute(select(
            IdempotencyRecord.id, IdempotencyRecord.state, IdempotencyRecord.created_at,
            IdempotencyRecord.fingerprint, IdempotencyRecord.response_status, IdempotencyRecord.response_body,
            IdempotencyRecord.response_headers).where(
            IdempotencyRecord.user_key == user_key, IdempotencyRecord.key == key)).first()
        if existing is None:
            continue  # purged meanwhile: try again
        now = utcnow()
        abandoned = existing.state == "in_progress" and existing.created_at < now - stale_after
        if existing.created_at < now - TTL or abandoned:
            session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == existing.id))
            continue
        if existing.fingerprint != fingerprint:
            raise KeyReused()
        if existing.state == "committed" and existing.created_at < now - stale_after:
            raise RequestApplied()
        if existing.state != "done":
            raise RequestInProgress()
        return Replay(existing.response_status, existing.response_body or "", existing.response_headers or {})
    raise RequestInProgress()


def complete(*, user_key: str, key: str, status: int, body: str, headers: dict) -> None:
    """Store the answer of a request whose claim committed with its write, in the store's own transaction:
    one UPDATE, no read first (and on SQLite no BEGIN: one statement is its own transaction)."""
    with _single_statement_session() as session:
        session.execute(update(IdempotencyRecord).where(
            IdempotencyRecord.user_key == user_key, IdempotencyRecord.key == key,
            IdempotencyRecord.state == "committed").values(
            state="done", response_status=status, response_body=body, response_headers=headers,
            completed_at=utcnow()))
        session.commit()


def store(*, user_key: str, key: str, fingerprint: str, owner_id: int | None, status: int, body: str,
          headers: dict) -> None:
    """Store the answer of a request that committed nothing under its key (its claim went with the rollback):
    a refusal is replayed too. A record another request holds meanwhile is left as it is (the first answer
    stands); an expired one is replaced."""
    with _session() as session:
        session.execute(delete(IdempotencyRecord).where(
            IdempotencyRecord.user_key == user_key, IdempotencyRecord.key == key,
            IdempotencyRecord.created_at < utcnow() - TTL))
        now = utcnow()
        session.execute(_insert(session).values(
            user_key=user_key, key=key, fingerprint=fingerprint, owner_id=owner_id, state="done",
            response_status=status, response_body=body, response_headers=headers, created_at=now,
            completed_at=now).on_conflict_do_nothing())
        session.commit()


def purge_expired() -> int:
    """Delete the records older than the TTL; how many went."""
    with _session() as session:
        result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - TTL))
        session.commit()
        return result.rowcount or 0
