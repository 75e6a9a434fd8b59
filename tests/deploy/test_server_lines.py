"""Every server line the README shows, under a mixed load of reads and writes from several clients: no 5xx.

The production line with the default limiter storage answered 500 ("threads can only be started once"),
and on SQLite plain GETs answered 503 "database is locked" while they wrote the session's last-seen time."""

import threading
import uuid
from collections import Counter

import pytest

from tests.deploy.conftest import signed_in

LINES = {
    "make-run": (),
    "sync": ("--workers", "4", "--worker-class", "sync"),
    "gthread": ("--workers", "4", "--threads", "4", "--worker-class", "gthread"),
}
CLIENTS, ROUNDS = 8, 25


def _mix(base, liaison, coordinator, enterprise_id, statuses):
    for n in range(ROUNDS):
        answers = [
            liaison.get(f"{base}/api/v1/me"),
            coordinator.get(f"{base}/api/v1/problems?limit=20"),
            liaison.get(f"{base}/api/v1/enterprises"),
            coordinator.get(f"{base}/api/v1/dashboard") if n % 5 == 0 else None,
        ]
        if n % 3 == 0:
            answers.append(liaison.post(f"{base}/api/v1/problems", headers={"Idempotency-Key": str(uuid.uuid4())},
                                        json={"enterprise_id": enterprise_id, "category": "other", "scope": "county",
                                              "title": f"压测问题 {n}", "description": "负载测试"}))
        for answer in filter(None, answers):
            statuses[answer.status_code] += 1


@pytest.mark.slow
@pytest.mark.parametrize("line", LINES)
def test_a_mixed_load_gets_no_5xx_from_the_server_line(gunicorn, demo, line):
    base, log = gunicorn(*LINES[line], API_RATE_LIMIT="100000 per minute", LOGIN_RATE_LIMIT="1000 per minute")
    enterprise_id = demo.enterprise_id("清河源")
    statuses: Counter = Counter()
    threads = [threading.Thread(target=_mix, args=(base, signed_in(base, "liaison_ma"), signed_in(base, "lxx_coord"),
                                                   enterprise_id, statuses))
               for _ in range(CLIENTS // 2)]
    threads += [threading.Thread(target=_mix, args=(base, signed_in(base, "liaison_ma"), signed_in(base, "lx_coord"),
                                                    enterprise_id, statuses))
                for _ in range(CLIENTS - CLIENTS // 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failures = {status: count for status, count in statuses.items() if status >= 500}
    assert not failures, (failures, log.read_text()[-3000:])
    assert statuses[201] == CLIENTS * len(range(0, ROUNDS, 3))  # every write went through
    assert statuses[200] >= CLIENTS * ROUNDS * 3
