"""Append to and verify the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select

from services.actors import Actor
from services.db import db, utcnow
from services.errors import Forbidden
from services.models import AuditHead, AuditLog

GENESIS = "0" * 64


def _normalise(data) -> dict:
    return json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))


def row_hash(row: AuditLog) -> str:
    payload = json.dumps(
        [row.seq, row.prev_hash, row.at.isoformat(), row.actor_id, row.actor_username, row.action,
         row.object_type, row.object_id, row.ip, row.request_id, row.data],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def record(actor: Actor | None, action: str, object_type: str | None = None, object_id=None,
           data: dict | None = None) -> AuditLog:
    """Append one row in the caller's transaction; the head row lock keeps the chain linear."""
    session = db.session
    head = session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    at = utcnow()
    row = AuditLog(
        seq=head.seq + 1, at=at,
        actor_id=actor.user_id if actor else None, actor_username=actor.username if actor else None,
        action=action, object_type=object_type, object_id=None if object_id is None else str(object_id),
        ip=actor.ip if actor else None, request_id=actor.request_id if actor else None,
        data=_normalise(data), prev_hash=head.hash,
    )
    row.hash = row_hash(row)
    head.seq, head.hash = row.seq, row.hash
    session.add(row)
    return row


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str | None = None


def verify() -> VerifyResult:
    prev = GENESIS
    expected_seq = 1
    checked = 0
    stmt = select(AuditLog).order_by(AuditLog.seq).execution_options(yield_per=500)
    for row in db.session.scalars(stmt):
        if row.seq != expected_seq:
            return VerifyResult(False, checked, row.seq, row.id, f"序号不连续：应为 {expected_seq}")
        if row.prev_hash != prev:
            return VerifyResult(False, checked, row.seq, row.id, "前序哈希不匹配")
        if row_hash(row) != row.hash:
            return VerifyResult(False, checked, row.seq, row.id, "内容哈希不匹配（记录被篡改）")
        prev = row.hash
        expected_seq += 1
        checked += 1
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.seq != checked or head.hash != prev):
        return VerifyResult(False, checked, head.seq, None, "链尾与记录不符（记录被删除或截断）")
    return VerifyResult(True, checked)


def query(*, actor: Actor, actor_id=None, object_type=None, object_id=None, action=None, from_=None, to=None):
    """Audit entries for the roles allowed to read them."""
    if actor.role not in AUDIT_READERS:
        raise Forbidden("无权查看审计日志")
    stmt = select(AuditLog)
    if actor_id is not None:
        stmt = stmt.where(AuditLog.actor_id == actor_id)
    if object_type:
        stmt = stmt.where(AuditLog.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditLog.object_id == object_id)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    if from_ is not None:
        stmt = stmt.where(AuditLog.at >= from_)
    if to is not None:
        stmt = stmt.where(AuditLog.at < to)
    return stmt


AUDIT_READERS = {"admin", "system"}
