"""Append to, seal and verify the hash-chained audit log.

Writers append rows without touching the chain (record()): a row carries the hash of its own content and, on
PostgreSQL, the id of the transaction that wrote it. The sealer (seal(), run every second by `flask deliver`,
and by verify() and checkpoint() before they read) chains the rows after the fact, one sealer at a time under
the head's row lock, so writers never queue on the head. docs/security.md states the exact guarantee."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import event, func, insert, or_, select
from sqlalchemy.orm import Session

from services.actors import Actor
from services.roles import Role
from services.db import db, increment, unit_of_work, utcnow
from services.errors import Forbidden
from services.models import AuditHead, AuditLog, RefusalTally
from services.paging import paged
from services import sorts

GENESIS = "0" * 64
SEAL_BATCH = 2000

log = logging.getLogger(__name__)


def _normalise(data) -> dict:
    return json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))


def row_hash(row: AuditLog) -> str:
    """SHA-256 of an audit row's content chained to its predecessor's hash (an unsealed row: seq and prev None)."""
    payload = json.dumps(
        [row.seq, row.prev_hash, row.at.isoformat(), row.actor_id, row.actor_username, row.action,
         row.object_type, row.object_id, row.ip, row.request_id, row.data],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


PENDING = "audit_rows"  # session.info key: rows recorded since the last flush


def record(actor: Actor | None, action: str, object_type: str | None = None, object_id=None,
           data: dict | None = None) -> None:
    """Append one unsealed row in the caller's transaction: no lock, no read; the sealer chains it later.
    Rows wait in the session until its next flush or commit, where all of them go in one INSERT."""
    row = {
        "seq": None, "at": utcnow(),
        "actor_id": actor.user_id if actor else None, "actor_username": actor.username if actor else None,
        "action": action, "object_type": object_type, "object_id": None if object_id is None else str(object_id),
        "ip": actor.ip if actor else None, "request_id": actor.request_id if actor else None,
        "data": _normalise(data), "prev_hash": None,
    }
    row["hash"] = row_hash(AuditLog(**row))  # of its content alone: what the sealer checks before chaining
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before anything else ran still discards the row
    session.info.setdefault(PENDING, []).append(row)


def _write_pending(session) -> None:
    if session.in_nested_transaction():
        return  # never inside a savepoint: its rollback would take rows recorded before it along
    rows = session.info.pop(PENDING, None)
    if rows:
        session.execute(insert(AuditLog), rows)


def write_pending() -> None:
    """Insert the rows recorded so far in this transaction now rather than at its next flush or commit."""
    _write_pending(db.session())


def _drop_pending(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction, which recorded them, did not commit
        session.info.pop(PENDING, None)  # (a savepoint's or a failed flush's rollback keeps them)


event.listen(Session, "before_flush", lambda session, *_args: _write_pending(session))
event.listen(Session, "before_commit", _write_pending)
event.listen(Session, "after_soft_rollback", _drop_pending)


@dataclass
class SealResult:
    sealed: int
    head_seq: int | None
    stalled_id: int | None = None
    reason: str | None = None


def _sealable():
    """Unsealed rows in the order they are chained: every row the sealer can see, i.e. whose writing
    transaction has committed, by (txid, id) on PostgreSQL and by id on SQLite (writers are serialised there).
    A row committed later by a slower transaction is chained by a later pass, once: the chain's order is the
    order in which rows became visible to the sealer, and no running transaction (a long report, a session
    left idle in a transaction) holds the sealing of everyone else's rows back."""
    stmt = select(AuditLog).where(AuditLog.seq.is_(None))
    if db.session.get_bind().dialect.name == "postgresql":
        return stmt.order_by(AuditLog.txid, AuditLog.id)
    return stmt.order_by(AuditLog.id)


def seal(*, batch: int = SEAL_BATCH) -> SealResult:
    """Chain the committed unsealed rows (up to `batch`) after the head, as its own transaction. Sealers take
    turns on the head's row lock. A row whose content no longer matches the hash written with it, or a missing
    head, stops the sealing there: verify() names it, and audit-verify fails until someone looks."""
    with unit_of_work():
        head = db.session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
        if head is None:
            log.error("audit sealer: the chain head (audit_head) is missing; nothing sealed")
            return SealResult(0, None, reason="链尾记录（audit_head）被删除")
        sealed = 0
        for row in db.session.scalars(_sealable().limit(batch)):
            if row.prev_hash is not None or row.hash != row_hash(row):
                log.error("audit sealer: unsealed audit row id=%s was altered before sealing; sealing stops", row.id)
                return SealResult(sealed, head.seq, row.id, "未封存记录在封存前被篡改")
            row.seq, row.prev_hash = head.seq + 1, head.hash
            row.hash = row_hash(row)
            head.seq, head.hash = row.seq, row.hash
            sealed += 1
        return SealResult(sealed, head.seq)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str | None = None


def verify(*, seal_first: bool = True) -> VerifyResult:
    """Seal what is committed, then walk the chain from the start: the first break (gap, altered or deleted
    row, an unsealed row altered since it was written), or intact."""
    if seal_first:
        seal()
    prev = GENESIS
    expected_seq = 1
    checked = 0
    stmt = select(AuditLog).where(AuditLog.seq.is_not(None)).order_by(AuditLog.seq).execution_options(yield_per=500)
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
    if head is None:
        return VerifyResult(False, checked, None, None, "链尾记录（audit_head）被删除")
    if head.seq != checked or head.hash != prev:
        return VerifyResult(False, checked, head.seq, None, "链尾与记录不符（记录被删除或截断）")
    unsealed = select(AuditLog).where(AuditLog.seq.is_(None)).order_by(AuditLog.id).execution_options(yield_per=500)
    for row in db.session.scalars(unsealed):
        if row.prev_hash is not None or row_hash(row) != row.hash:
            return VerifyResult(False, checked, None, row.id, "未封存记录内容哈希不匹配（记录在封存前被篡改）")
    return VerifyResult(True, checked)


def oldest_unsealed(sealed_seq: int) -> datetime | None:
    """When the oldest row after the last checkpoint was written: what a database writer could still rewrite."""
    return db.session.scalar(select(func.min(AuditLog.at)).where(or_(AuditLog.seq > sealed_seq,
                                                                   AuditLog.seq.is_(None))))


def tally_refusal(actor: Actor, status: int, path: str) -> None:
    """Count a refused anonymous request in its address's row for this minute; the
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
    """Audit entries for the roles allowed to read them.
    Raises Forbidden (role may not read the audit log)."""
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
    """Seal what is committed, then append the head, signed, to the checkpoint file (one JSON object a line)."""
    seal()
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


def audit_page(*, actor: Actor, **args) -> dict:
    """One page of audit entries. Raises Forbidden (not an auditor), ValidationFailed (bad cursor)."""
    return paged(query, sorts.AUDIT, actor=actor, **args)
