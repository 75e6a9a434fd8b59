"""The delivery worker (flask deliver): claim due rows, send them, record the outcome; retry with backoff,
then park as dead letters.

A claim is a short transaction that marks rows `sending` with a lease (FOR UPDATE SKIP LOCKED on
PostgreSQL, so workers on several hosts take disjoint rows; on SQLite the claim's BEGIN IMMEDIATE
serialises them). Sending happens outside any transaction; the outcome is written only by the worker
that still holds the lease. A worker that dies mid-send leaves its rows to be claimed again when the
lease runs out: a receiver may then see a message twice, never twice at once, and drops the
repeat by its X-LQT-Message-Id.

The loop also runs the audit sealer (services/audit.py seal()) every `seal_seconds`: writers append audit
rows unchained, and the chain follows them within about a second.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import DBAPIError

from services import audit
from services.db import db, unit_of_work, utcnow
from services.delivery import channels
from services.delivery.settings import settings
from services.models import OutboxMessage

log = logging.getLogger("lianqitong.delivery")


def worker_name() -> str:
    """A name for this worker: host, process and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def backoff(attempts: int) -> timedelta:
    """After the n-th failed attempt: base × 2^(n-1) (120 s, 4, 8, 16, 32 min: six tries span 62 minutes)."""
    return timedelta(seconds=settings.backoff_seconds * (2 ** max(0, attempts - 1)))


@dataclass
class RunResult:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    lost: int = 0  # outcomes not written: the lease had passed to another worker
    errors: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        """How many messages the run claimed."""
        return self.sent + self.failed + self.dead + self.lost


def claim(*, worker: str, batch: int, now: datetime | None = None) -> list[channels.Envelope]:
    """Mark up to `batch` due rows as ours and return what to send; one short transaction."""
    now = now or utcnow()
    lease = timedelta(seconds=settings.send_timeout * batch + 30)
    due = or_(and_(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now),
              and_(OutboxMessage.state == "sending", OutboxMessage.lease_until < now))
    stmt = (select(OutboxMessage).where(due).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(batch).with_for_update(skip_locked=True))
    with unit_of_work():
        envelopes = []
        for row in db.session.scalars(stmt).all():
            row.state, row.lease_until, row.claimed_by = "sending", now + lease, worker
            row.attempts += 1
            envelopes.append(channels.Envelope(row.id, row.message_id, row.kind, row.channel, row.recipient, row.text,
                                               row.link, row.template_id, dict(row.params or {}), row.created_at))
    return envelopes


def _finish(envelope: channels.Envelope, worker: str, values: dict) -> bool:
    with unit_of_work():
        result = db.session.execute(update(OutboxMessage).where(
            OutboxMessage.id == envelope.id, OutboxMessage.claimed_by == worker, OutboxMessage.state == "sending")
            .values(lease_until=None, **values))
    return bool(result.rowcount)


def deliver(envelope: channels.Envelope, *, worker: str, result: RunResult) -> None:
    """Send one claimed message and write its outcome (sent, retry later, or dead)."""
    try:
        channels.send(envelope, settings)
    except channels.DeliveryFailed as error:
        _failed(envelope, worker, str(error), result, permanent=error.permanent)
        return
    except Exception as error:  # noqa: BLE001 - an adapter's bug must not kill the worker
        log.exception("delivery %s crashed", envelope.id)
        _failed(envelope, worker, f"内部错误：{error.__class__.__name__}", result)
        return
    now = utcnow()
    if _finish(envelope, worker, {"state": "sent", "sent_at": now, "last_error": None}):
        result.sent += 1
    else:
        result.lost += 1


def _failed(envelope: channels.Envelope, worker: str, reason: str, result: RunResult, *,
            permanent: bool = False) -> None:
    now = utcnow()
    attempts = db.session.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == envelope.id)) or 0
    if permanent or attempts >= settings.max_attempts:
        values = {"state": "dead", "dead_at": now, "last_error": reason[:500]}
        counter = "dead"
    else:
        values = {"state": "pending", "next_attempt_at": now + backoff(attempts), "last_error": reason[:500]}
        counter = "failed"
    if _finish(envelope, worker, values):
        setattr(result, counter, getattr(result, counter) + 1)
        if counter == "dead":
            log.warning("message %s is a dead letter after %s attempts: %s", envelope.message_id, attempts, reason)
    else:
        result.lost += 1
    result.errors.append(reason)


def run_once(*, worker: str, batch: int = 20) -> RunResult:
    """Claim one batch of due messages and deliver each."""
    result = RunResult()
    for envelope in claim(worker=worker, batch=batch):
        deliver(envelope, worker=worker, result=result)
    return result


def outstanding(now: datetime | None = None) -> int:
    """Rows due now or held by a worker: what a draining worker waits for (a retry due later is not)."""
    now = now or utcnow()
    return db.session.scalar(select(func.count()).where(or_(
        OutboxMessage.state == "sending",
        and_(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now)))) or 0


def run(*, stop: threading.Event, worker: str | None = None, batch: int = 20, idle_seconds: float = 2.0,
        drain: bool = False, seal_seconds: float = 1.0) -> RunResult:
    """Deliver until `stop` is set (or, with `drain`, until nothing is due or being sent), sealing the audit
    chain every `seal_seconds`. A database outage costs a pause, never the worker."""
    worker = worker or worker_name()
    total = RunResult()
    log.info("delivery worker %s started", worker)
    sealed_at = float("-inf")
    while not stop.is_set():
        try:
            if time.monotonic() - sealed_at >= seal_seconds:
                audit.seal()
                sealed_at = time.monotonic()
            result = run_once(worker=worker, batch=batch)
        except DBAPIError as error:
            db.session.rollback()
            log.warning("delivery worker %s: database unavailable (%s)", worker, error.__class__.__name__)
            stop.wait(idle_seconds)
            continue
        for name in ("sent", "failed", "dead", "lost"):
            setattr(total, name, getattr(total, name) + getattr(result, name))
        if result.claimed:
            continue
        if drain and outstanding() == 0:
            break
        db.session.rollback()
        stop.wait(min(idle_seconds, seal_seconds))
    db.session.remove()
    log.info("delivery worker %s stopped: %s sent, %s retried, %s dead", worker, total.sent, total.failed, total.dead)
    return total
