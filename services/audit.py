"""Append to and verify the hash-chained audit log."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from services.actors import Actor
from services.roles import Role
from services.db import db, increment, unit_of_work, utcnow
from services.errors import Forbidden
from services.models import AuditHead, AuditLog, RefusalTally

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
    if head is None and checked:
        return VerifyResult(False, checked, None, None, "链尾记录（audit_head）被删除")
    if head is not None and (head.seq != checked or head.hash != prev):
        return VerifyResult(False, checked, head.seq, None, "链尾与记录不符（记录被删除或截断）")
    return VerifyResult(True, checked)


def oldest_unsealed(sealed_seq: int) -> datetime | None:
    """When the oldest row after the last checkpoint was written: what a database writer could still rewrite."""
    return db.session.scalar(select(func.min(AuditLog.at)).where(AuditLog.seq > sealed_seq))


def tally_refusal(actor: Actor, status: int, path: str) -> None:
    """Count a refused anonymous request in its address's row for this minute, outside the chain's lock; the
    first of each address and minute is also appended to the chain, so a flood costs O(1) chain rows a minute."""
    minute = utcnow().replace(second=0, microsecond=0)
    count = increment(RefusalTally, keys={"minute": minute, "ip": (actor.ip or "-")[:64], "status": status},
                      column="count", also={"last_path": path[:200]})
    if count == 1:
        record(actor, f"http.{status}", None, None, {"path": path[:200], "tallied_in": "refusal_tallies"})


@unit_of_work()
def record_refusal(actor: Actor, status: int, method: str, path: str) -> None:
    """A refused request as its own transaction: 401s tallied (an attacker's noise stays small), others recorded."""
    if status == 401:
        tally_refusal(actor, 401, f"{method} {path}")
    else:
        record(actor, f"http.{status}", None, None, {"method": method, "path": path})


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


# Separation of duties: the auditor reads the log; the admin who runs the system does not.
AUDIT_READERS = {Role.AUDITOR, Role.SYSTEM}


# --- checkpoints: the chain's head sealed with an HMAC under a key the database does not hold ----------

def _seal(key: str, seq: int, head_hash: str, at: str) -> str:
    return hmac.new(key.encode(), f"{seq}:{head_hash}:{at}".encode(), hashlib.sha256).hexdigest()


def checkpoint(*, key: str, path: Path) -> dict:
    """Append the current head, sealed, to the checkpoint file (one JSON object per line)."""
    head = db.session.get(AuditHead, 1)
    seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    at = utcnow().isoformat()
    entry = {"seq": seq, "hash": head_hash, "at": at, "hmac": _seal(key, seq, head_hash, at)}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")
    return entry


def verify_checkpoint(*, key: str, path: Path) -> VerifyResult | None:
    """None when there is no checkpoint yet; else whether the chain still holds the sealed head."""
    if not path.exists():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        return None
    entry = json.loads(lines[-1])
    if not hmac.compare_digest(_seal(key, entry["seq"], entry["hash"], entry["at"]), entry.get("hmac", "")):
        return VerifyResult(False, 0, entry.get("seq"), None, "检查点签名无效（检查点被伪造）")
    if entry["seq"] == 0:
        return VerifyResult(True, 0)
    row = db.session.scalar(select(AuditLog).where(AuditLog.seq == entry["seq"]))
    if row is None:
        return VerifyResult(False, 0, entry["seq"], None, "检查点之前的记录已被截断")
    if row.hash != entry["hash"]:
        return VerifyResult(False, 0, entry["seq"], row.id, "检查点之前的记录已被改写")
    return VerifyResult(True, entry["seq"])
