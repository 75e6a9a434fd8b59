"""Racing writers: exactly one wins, the other is told, nothing applies twice."""

import threading

from sqlalchemy import func, select

from services.models import AuditLog
from tests.conftest import login


def test_two_racing_patches_with_the_same_version_apply_once(app, demo, db_session):
    sessions = [login(app.test_client(), "lxx_coord") for _ in range(2)]
    path = f"enterprises/{demo.enterprise_id('清河源')}"
    barrier = threading.Barrier(2)
    results = []

    def patch(session, value):
        barrier.wait()
        results.append(session.patch(path, json={"employees": value}, headers={"If-Match": '"1"'}).status_code)

    threads = [threading.Thread(target=patch, args=(s, v)) for s, v in zip(sessions, (111, 222), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) in ([200, 409], [200, 412])
    audited = db_session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "enterprise.updated"))
    assert audited == 1
    assert sessions[0].get(path).get_json()["version"] == 2
