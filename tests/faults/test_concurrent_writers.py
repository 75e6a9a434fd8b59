"""Concurrent writers through the app: every write lands, none fails with "database is locked"
(SQLite write transactions begin IMMEDIATE and queue behind each other)."""

import threading

from sqlalchemy import func, select

from services.models import Problem
from tests.conftest import login

THREADS, WRITES = 8, 12


def test_concurrent_writers_all_succeed(app, demo, db_session):
    sessions = [login(app.test_client(), "liaison_ma") for _ in range(THREADS)]
    enterprise = demo.enterprise_id("清河源")
    codes, barrier = [], threading.Barrier(THREADS)

    def write(n, session):
        barrier.wait()
        for i in range(WRITES):
            response = session.post("problems", json={"enterprise_id": enterprise, "category": "other",
                                                      "title": f"并发写入 {n}-{i}", "scope": "county"})
            codes.append(response.status_code)

    threads = [threading.Thread(target=write, args=(n, s)) for n, s in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [201] * (THREADS * WRITES)
    written = db_session.scalar(select(func.count()).select_from(Problem).where(Problem.title.like("并发写入%")))
    assert written == THREADS * WRITES
