"""A `flask deliver` process killed in the middle of an export job: its lease runs out, a second process redoes
the job from row one and the file is complete — real processes, on the suite's database (PostgreSQL under
`make test-pg`, where the claim is FOR UPDATE SKIP LOCKED; the SQLite file otherwise)."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, insert, select

from api import create_app
from api.config import TestConfig
from services import export_jobs
from services.actors import Actor
from services.db import db, utcnow
from services.models import ExportJob, User, Visit
from tests.conftest import _config
from tests.services.exports.helpers import rows

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
EXTRA_VISITS = 60_000


def _wait(predicate, what: str, seconds: float = 120):
    """Poll until predicate() is truthy (a deadline against hanging, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.02)
    raise AssertionError(f"gave up waiting for {what}")


def _seed(app) -> int:
    """Drop the demo's jobs, add many visits in 临夏县 and queue lxx_coord's CSV of the visit log: the job id."""
    with app.app_context():
        db.session.execute(delete(ExportJob))
        model = db.session.scalar(select(Visit).join(User, User.id == Visit.liaison_id)
                                  .where(User.username == "liaison_ma").order_by(Visit.id))
        now = utcnow()
        for start in range(0, EXTRA_VISITS, 10_000):
            db.session.execute(insert(Visit), [
                {"enterprise_id": model.enterprise_id, "liaison_id": model.liaison_id, "method": "phone",
                 "visited_at": now - timedelta(minutes=n), "summary": f"电话回访 {n}", "created_at": now,
                 "updated_at": now, "version": 1} for n in range(start, start + 10_000)])
        db.session.commit()
        coordinator = db.session.scalar(select(User).where(User.username == "lxx_coord"))
        job = export_jobs.create_job(actor=Actor.for_user(coordinator), ledger="visits", format="csv", filters={})
        job_id = job.id
        db.session.remove()
    return job_id


def _state(app, job_id):
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        found = (job.state, job.done, job.total, job.attempts, job.claimed_by, job.file_path)
        db.session.remove()
    return found


def test_a_worker_killed_mid_export_leaves_the_job_to_another_that_redoes_it(database, tmp_path):
    url = database.clone("exportkill")
    app = create_app(_config(url, tmp_path))
    job_id = _seed(app)
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_DIR": str(tmp_path), "FLASK_APP": "wsgi",
           "JWT_SECRET_KEY": TestConfig.JWT_SECRET_KEY, "AUDIT_HMAC_KEY": TestConfig.AUDIT_HMAC_KEY,
           "EXPORT_LEASE_SECONDS": "2", "EXPORT_PROGRESS_ROWS": "500", "RATELIMIT_STORAGE_URI": "memory://"}
    command = [str(BIN / "flask"), "deliver", "--idle", "0.2"]
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        state, done, total, attempts, first_worker, _ = _wait(
            lambda: (s := _state(app, job_id))[0] == "running" and s[1] >= 1000 and s, "progress of the first worker")
        first.kill()  # SIGKILL in the middle of the job: no clean-up, the lease is left to run out
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    assert total > EXTRA_VISITS and done < total and attempts == 1
    assert _state(app, job_id)[0] == "running"  # nobody finished it

    second = subprocess.run([*command, "--drain"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stdout + second.stderr
    state, done, total, attempts, second_worker, file_path = _state(app, job_id)
    assert state == "done" and attempts == 2 and second_worker != first_worker
    assert done == total
    exported = rows((tmp_path / "exports" / file_path).read_bytes(), "csv")["csv"]
    assert len(exported) == total + 1 and exported[0][0] == "走访时间"
    assert not list((tmp_path / "exports").glob("*.part"))  # the killed worker's partial file is gone
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
