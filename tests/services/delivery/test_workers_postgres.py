"""Three `flask deliver` processes on PostgreSQL share 1,000 messages through a receiver that fails a third of
the time: every message arrives, none is ever in flight twice at once, and each is accepted once."""

import os
import random
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api import create_app
from api.config import TestConfig
from services.db import db, utcnow
from services.models import OutboxMessage
from tests.conftest import _config

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
MESSAGES = 1000


class FlakyReceiver:
    """Fails a third of the requests (500), seeded; records what is in flight and what it accepted."""

    def __init__(self):
        self.random = random.Random(16)
        self.lock = threading.Lock()
        self.in_flight: set[str] = set()
        self.overlaps: list[str] = []
        self.accepted: Counter = Counter()
        self.refused = 0

    def __call__(self, received):
        message_id = received.headers["X-LQT-Message-Id"]
        with self.lock:
            if message_id in self.in_flight:
                self.overlaps.append(message_id)
            self.in_flight.add(message_id)
            fail = self.random.random() < 1 / 3
        time.sleep(0.002)  # widen the window in which a second sender would overlap
        with self.lock:
            self.in_flight.discard(message_id)
            if fail:
                self.refused += 1
                return 500, {"error": "flaky"}
            self.accepted[message_id] += 1  # a real receiver drops repeats by this id
        return 200, {}


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (make test-pg)")
def test_three_workers_deliver_a_thousand_messages_once_each_through_a_flaky_receiver(database, receiver, tmp_path):
    flaky = FlakyReceiver()
    receiver.answer = flaky
    url = database.clone("outbox3")
    app = create_app(_config(url, tmp_path))
    with app.app_context():
        now = utcnow()
        db.session.add_all(OutboxMessage(
            message_id=uuid.uuid4().hex, kind="problem.arrived", channel="webhook", recipient=f"user{n}",
            text=f"第 {n} 条", params={}, urgent=False, state="pending", attempts=0, next_attempt_at=now,
            created_at=now) for n in range(MESSAGES))
        db.session.commit()
        ids = set(db.session.scalars(select(OutboxMessage.message_id).where(OutboxMessage.text.like("第 %"))))
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_DIR": str(tmp_path), "FLASK_APP": "wsgi",
           "JWT_SECRET_KEY": TestConfig.JWT_SECRET_KEY, "AUDIT_HMAC_KEY": TestConfig.AUDIT_HMAC_KEY,
           "WEBHOOK_URL": receiver.url("/12345"), "WEBHOOK_SECRET": "city-secret",
           "OUTBOX_BACKOFF_SECONDS": "0", "OUTBOX_MAX_ATTEMPTS": "40", "RATELIMIT_STORAGE_URI": "memory://"}
    workers = [subprocess.Popen([str(BIN / "flask"), "deliver", "--drain", "--batch", "10", "--idle", "0.2"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for _ in range(3)]
    outputs = []
    try:
        for process in workers:
            outputs.append(process.communicate(timeout=150)[0])
    finally:
        for process in workers:
            if process.poll() is None:
                process.kill()
    assert all(p.returncode == 0 for p in workers), outputs
    with app.app_context():
        states = dict(db.session.execute(select(OutboxMessage.state, func.count())
                                         .where(OutboxMessage.message_id.in_(ids)).group_by(OutboxMessage.state)).all())
        db.session.remove()
        db.engine.dispose()
    assert states == {"sent": MESSAGES}
    assert set(flaky.accepted) == ids
    assert flaky.overlaps == []
    assert max(flaky.accepted.values()) == 1
    assert flaky.refused > MESSAGES / 5  # the receiver really failed about a third of the time
    sent = [int(re.search(r"送达 (\d+) 条", out).group(1)) for out in outputs]
    assert sum(sent) == MESSAGES and all(n > 0 for n in sent)  # all three shared the work
