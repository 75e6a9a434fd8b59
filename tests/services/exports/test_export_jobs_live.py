"""导出任务 through a real server (Werkzeug in a thread, compression on) with `requests`, as the client does:
start a job, poll its progress, download the file; the worker runs beside it as `flask deliver` runs it."""

import threading
import time

import pytest
import requests

from services import export_jobs
from tests.services.exports.helpers import forget_demo_jobs, rows


@pytest.fixture
def worker(app):
    """The export half of `flask deliver`, in a thread of this process (started once the demo's queued job is
    gone, so the job it runs is the test's)."""
    forget_demo_jobs(app)
    stop = threading.Event()

    def run():
        with app.app_context():
            export_jobs.run(stop=stop, worker="live-worker", idle_seconds=0.05)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=30)


def _poll(session, url: str) -> dict:
    """GET the job until it is no longer queued or running (a deadline against hanging, not a timing check)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = session.get(url).json()
        if job["state"] not in ("queued", "running"):
            return job
        assert 0 <= job["progress"]["done"] <= (job["progress"]["total"] or job["progress"]["done"])
        time.sleep(0.05)
    raise AssertionError("the job did not finish")


def test_a_client_starts_a_job_polls_its_progress_and_downloads_the_file(app, live_server, worker):
    forget_demo_jobs(app)
    session = live_server.login("lx_coord")
    body = {"ledger": "problems", "format": "xlsx", "filters": {"status": "pending,in_progress"}}
    started = session.post(live_server.url + "exports", json=body, headers={"Idempotency-Key": "live-export-1"})
    assert started.status_code == 202 and started.headers["Content-Type"].startswith("application/json")
    location = live_server.base + started.headers["Location"]
    job = _poll(session, location)
    assert job["state"] == "done" and job["progress"]["done"] == job["progress"]["total"] > 0
    file = session.get(live_server.base + job["download_url"])
    assert file.status_code == 200 and int(file.headers["Content-Length"]) == job["size"] == len(file.content)
    assert "filename*=UTF-8''" in file.headers["Content-Disposition"]
    direct = session.get(live_server.url + "problems/export.xlsx", params={"status": "pending,in_progress"})
    assert rows(file.content, "xlsx") == rows(direct.content, "xlsx")


def test_a_csv_job_of_the_visit_log_downloads_as_the_direct_csv_does(app, live_server, worker):
    forget_demo_jobs(app)
    session = live_server.login("lxx_coord")
    started = session.post(live_server.url + "exports", json={"ledger": "visits", "format": "csv"})
    job = _poll(session, live_server.base + started.headers["Location"])
    file = session.get(live_server.base + job["download_url"], headers={"Accept-Encoding": "gzip"})
    assert file.status_code == 200 and file.headers["Content-Type"].startswith("text/csv")
    assert rows(file.content, "csv") == rows(session.get(live_server.url + "visits/export.csv").content, "csv")


def test_another_user_cannot_fetch_the_file_through_the_server(app, live_server, worker):
    forget_demo_jobs(app)
    owner = live_server.login("lx_coord")
    started = owner.post(live_server.url + "exports", json={"ledger": "tasks", "format": "csv"})
    job = _poll(owner, live_server.base + started.headers["Location"])
    for username in ("admin", "lxx_coord"):
        intruder = live_server.login(username)
        assert intruder.get(live_server.base + job["download_url"]).status_code == 404
    anonymous = requests.get(live_server.base + job["download_url"])
    assert anonymous.status_code == 401
