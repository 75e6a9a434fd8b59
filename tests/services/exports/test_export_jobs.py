"""导出任务: POST /exports → 202, the delivery worker writes the file with progress, the requester downloads it;
the file is the direct export's; a job is its requester's alone; leases, expiry, idempotency, rate limit, audit."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from services import export_jobs
from services.db import db, utcnow
from services.models import AuditLog, ExportJob, Region, User
from tests.services.exports.helpers import forget_demo_jobs, rows, work

PROBLEMS = {"ledger": "problems", "format": "csv", "filters": {"status": "pending,in_progress"}}


@pytest.fixture(autouse=True)
def _no_demo_jobs(app):
    forget_demo_jobs(app)


def _start(session, body=PROBLEMS, **kw):
    response = session.post("exports", json=body, **kw)
    assert response.status_code == 202, response.get_json()
    return response


def _job(app, job_id) -> ExportJob:
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        db.session.expunge(job)
        db.session.remove()
        return job


def _set(app, model, where, **values):
    with app.app_context():
        db.session.execute(update(model).where(where).values(**values))
        db.session.commit()


# ------------------------------------------------------------------------------------- the job and its file

def test_a_new_job_is_accepted_with_202_its_location_and_queued_state(login_as):
    response = _start(login_as("lx_coord"))
    job = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/exports/{job['id']}")
    assert job["state"] == "queued" and job["progress"] == {"done": 0, "total": None}
    assert job["download_url"] is None and job["filters"] == PROBLEMS["filters"]


def test_the_worker_writes_the_file_and_the_job_reports_done_of_total_and_a_download_link(app, login_as):
    session = login_as("lx_coord")
    job_id = _start(session).get_json()["id"]
    assert work(app) == ["done"]
    job = session.get(f"exports/{job_id}").get_json()
    assert job["state"] == "done" and job["progress"]["done"] == job["progress"]["total"] > 0
    assert job["download_url"] == f"/api/v1/exports/{job_id}/file" and job["expires_at"] and job["size"] > 0
    file = session.get(job["download_url"])
    assert file.status_code == 200 and file.mimetype == "text/csv"
    assert "filename*=UTF-8''%E9%97%AE%E9%A2%98%E5%8F%B0%E8%B4%A6-" in file.headers["Content-Disposition"]
    assert len(rows(file.data, "csv")["csv"]) == job["progress"]["total"] + 1  # the header


DIRECT = {"problems": "problems/export", "visits": "visits/export", "tasks": "tasks/export", "arrears": "arrears/export"}


@pytest.mark.parametrize(("username", "ledger", "fmt", "filters"), [
    ("lx_viewer", "problems", "csv", {"status": "pending,in_progress,resolved"}),  # a viewer: phones masked
    ("lx_coord", "problems", "xlsx", {"category": ["financing", "labor"]}),
    ("lxx_coord", "visits", "csv", {}),
    ("lx_coord", "visits", "xlsx", {"method": "on_site"}),
    ("dept_lxx_gxj", "tasks", "csv", {}),
    ("lx_coord", "tasks", "xlsx", {"role": "lead"}),
    ("lx_coord", "arrears", "xlsx", {"status": "repaying,open"}),
])
def test_the_file_has_the_rows_of_the_direct_export_of_the_same_filters(app, login_as, username, ledger, fmt,
                                                                        filters):
    session = login_as(username)
    job_id = _start(session, {"ledger": ledger, "format": fmt, "filters": filters}).get_json()["id"]
    assert work(app) == ["done"]
    direct = session.get(f"{DIRECT[ledger]}.{fmt}", query_string=filters)
    assert direct.status_code == 200
    exported = rows(session.get(f"exports/{job_id}/file").data, fmt)
    assert exported == rows(direct.data, fmt)
    assert sum(len(sheet) - 1 for sheet in exported.values()) == session.get(f"exports/{job_id}").get_json()[
        "progress"]["total"] > 0


REPORTS = {"assessments": "assessments/export", "department_assessments": "assessments/departments/export",
           "arrears_monthly": "arrears/monthly/export", "need_figures": "needs/figures/export",
           "institution_ranking": "institutions/ranking/export"}


@pytest.mark.parametrize(("ledger", "fmt", "filters"), [
    ("assessments", "xlsx", {}), ("assessments", "csv", {"quarter": "2026Q3"}), ("department_assessments", "xlsx", {}),
    ("arrears_monthly", "xlsx", {}), ("need_figures", "xlsx", {}), ("institution_ranking", "xlsx", {}),
])
def test_a_report_job_writes_the_file_of_its_direct_export_under_its_name(app, login_as, ledger, fmt, filters):
    session = login_as("lx_coord")
    job_id = _start(session, {"ledger": ledger, "format": fmt, "filters": filters}).get_json()["id"]
    assert work(app) == ["done"]
    direct = session.get(f"{REPORTS[ledger]}.{fmt}", query_string=filters)
    file = session.get(f"exports/{job_id}/file")
    assert rows(file.data, fmt) == rows(direct.data, fmt)
    assert file.headers["Content-Disposition"] == direct.headers["Content-Disposition"]
    assert session.get(f"exports/{job_id}").get_json()["progress"] == {"done": 1, "total": 1}


def test_a_report_the_requester_may_not_read_fails_the_job_with_the_reason(app, login_as):
    job_id = _start(login_as("liaison_ma"), {"ledger": "assessments", "format": "xlsx"}).get_json()["id"]
    assert work(app) == ["failed"]
    job = _job(app, job_id)
    assert job.state == "failed" and job.error and not job.error.isascii() and job.file_path is None


def test_the_viewers_export_masks_the_phones_as_the_direct_export_does(app, login_as):
    _start(login_as("lx_viewer"))
    work(app)
    (job,) = login_as("lx_viewer").get("exports").get_json()["items"]
    table = rows(login_as("lx_viewer").get(job["download_url"]).data, "csv")["csv"]
    phones = [row[table[0].index("联系电话")] for row in table[1:] if row[table[0].index("联系电话")]]
    assert phones and all("*" in phone for phone in phones)


def test_the_file_of_a_job_not_yet_done_is_409(login_as):
    session = login_as("lx_coord")
    job_id = _start(session).get_json()["id"]
    response = session.get(f"exports/{job_id}/file")
    assert response.status_code == 409 and response.get_json()["code"] == "export_not_ready"


# ------------------------------------------------------------------------------------- whose job it is

@pytest.mark.parametrize("other", ["lxx_coord", "admin", "gs_coord"])
def test_another_users_job_and_its_file_are_not_found_even_for_an_admin(app, login_as, other):
    job_id = _start(login_as("lx_coord")).get_json()["id"]
    work(app)
    session = login_as(other)
    for path in (f"exports/{job_id}", f"exports/{job_id}/file"):
        response = session.get(path)
        assert response.status_code == 404 and response.get_json()["code"] == "not_found"


def test_the_list_shows_the_callers_own_jobs_newest_first(app, login_as):
    mine = [_start(login_as("lx_coord")).get_json()["id"] for _ in range(2)]
    _start(login_as("lxx_coord"))
    listed = login_as("lx_coord").get("exports").get_json()["items"]
    assert [job["id"] for job in listed] == mine[::-1]
    assert login_as("kl_coord").get("exports").get_json()["items"] == []


def test_an_unknown_job_is_404(login_as):
    assert login_as("lx_coord").get("exports/999999").status_code == 404


# ------------------------------------------------------------------------------------- bad requests

@pytest.mark.parametrize(("body", "field"), [
    ({"ledger": "warnings", "format": "xlsx"}, "ledger"),
    ({"ledger": "arrears", "format": "csv"}, "format"),
    ({"ledger": "problems", "format": "pdf"}, "format"),
    ({"ledger": "problems", "filters": {"status": "lost"}}, "filters"),
    ({"ledger": "problems", "filters": {"status": [["pending"]], "region": {"id": 1}}}, "filters"),
    ({"ledger": "problems", "filters": {"limit": 5}}, "filters"),
    ({"ledger": "problems", "filters": {"colour": "red"}}, "filters"),
    ({"ledger": "visits", "filters": {"from": "yesterday"}}, "filters"),
    ({"format": "xlsx"}, "ledger"),
])
def test_an_unknown_ledger_format_or_a_filter_its_list_refuses_is_422(app, login_as, body, field):
    response = login_as("lx_coord").post("exports", json=body)
    errors = response.get_json()["errors"]
    assert response.status_code == 422 and any(key.split(".")[0] == field for key in errors)
    assert all(isinstance(m, str) for messages in errors.values() for m in messages)
    with app.app_context():
        assert db.session.scalar(select(ExportJob.id)) is None


def test_a_role_that_has_no_such_ledger_is_refused_at_once(app, login_as):
    response = login_as("ent_qhy").post("exports", json={"ledger": "tasks", "format": "xlsx"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(ExportJob.id)) is None


def test_without_a_token_no_job_is_made(client):
    assert client.post("exports", json=PROBLEMS).status_code == 401


# ------------------------------------------------------------------------------------- the scope when it runs

def test_a_disabled_account_s_job_fails_without_a_file(app, login_as, demo):
    session = login_as("lx_coord")
    job_id = _start(session).get_json()["id"]
    _set(app, User, User.id == demo.user_id("lx_coord"), is_active=False)
    assert work(app) == ["failed"]
    job = _job(app, job_id)
    assert job.state == "failed" and "停用" in job.error and job.file_path is None
    assert not list(export_jobs.settings.directory.glob(f"{job_id}-*"))


def test_a_job_exports_what_the_requester_sees_when_it_runs_after_a_region_change(app, login_as, demo):
    prefecture = login_as("lx_coord")
    job_id = _start(prefecture, {"ledger": "problems", "format": "csv", "filters": {}}).get_json()["id"]
    county_rows = rows(login_as("kl_coord").get("problems/export.csv").data, "csv")["csv"]
    prefecture_rows = rows(prefecture.get("problems/export.csv").data, "csv")["csv"]
    with app.app_context():
        county = db.session.scalar(select(Region.id).join(User, User.region_id == Region.id)
                                   .where(User.username == "kl_coord"))
    _set(app, User, User.id == demo.user_id("lx_coord"), region_id=county)  # moved to 康乐县 before the job runs
    assert work(app) == ["done"]
    exported = rows(prefecture.get(f"exports/{job_id}/file").data, "csv")["csv"]
    assert exported == county_rows and len(exported) < len(prefecture_rows)


def test_a_role_change_that_takes_the_ledger_away_fails_the_job_with_the_reason(app, login_as, demo):
    job_id = _start(login_as("lxx_coord"), {"ledger": "visits", "format": "csv"}).get_json()["id"]
    _set(app, User, User.id == demo.user_id("lxx_coord"), role="enterprise",
         enterprise_id=demo.enterprise_id("清河源"))
    assert work(app) == ["failed"]
    job = _job(app, job_id)
    assert job.state == "failed" and job.error and not job.error.isascii()


# ------------------------------------------------------------------------------------- leases and retries

def test_a_job_left_by_a_dead_worker_is_redone_by_another_when_its_lease_runs_out(app, login_as):
    session = login_as("lx_coord")
    job_id = _start(session).get_json()["id"]
    with app.app_context():
        assert export_jobs.claim(worker="died-mid-job") == job_id  # claimed, then the process was killed
        assert export_jobs.claim(worker="second") is None  # its lease still runs
        later = utcnow() + timedelta(seconds=export_jobs.settings.lease_seconds + 1)
        assert export_jobs.claim(worker="second", now=later) == job_id
        assert export_jobs.run_job(job_id, worker="second") == "done"
        db.session.remove()
    job = session.get(f"exports/{job_id}").get_json()
    assert job["state"] == "done" and job["attempts"] == 2
    assert session.get(job["download_url"]).status_code == 200
    assert _job(app, job_id).claimed_by == "second"


def test_a_worker_that_lost_its_lease_stops_and_leaves_no_file(app, login_as, monkeypatch):
    monkeypatch.setattr(export_jobs.settings, "progress_every", 3)
    job_id = _start(login_as("lx_coord")).get_json()["id"]
    with app.app_context():
        assert export_jobs.claim(worker="slow") == job_id
        db.session.remove()
    _set(app, ExportJob, ExportJob.id == job_id, claimed_by="faster")  # the lease passed on meanwhile
    with app.app_context():
        assert export_jobs.run_job(job_id, worker="slow") == "lost"
        db.session.remove()
    job = _job(app, job_id)
    assert job.state == "running" and job.claimed_by == "faster" and job.file_path is None
    assert not list(export_jobs.settings.directory.glob(f"{job_id}-slow*"))


def test_a_job_interrupted_more_often_than_allowed_fails_with_the_reason(app, login_as):
    job_id = _start(login_as("lx_coord")).get_json()["id"]
    _set(app, ExportJob, ExportJob.id == job_id, state="running", claimed_by="gone",
         attempts=export_jobs.settings.max_attempts, lease_until=utcnow() - timedelta(seconds=1))
    assert work(app) == ["failed"]
    job = _job(app, job_id)
    assert job.state == "failed" and "中断" in job.error and job.attempts == export_jobs.settings.max_attempts + 1


def test_a_worker_asked_to_stop_mid_job_gives_it_back_at_once_for_the_next(app, login_as):
    import threading

    job_id = _start(login_as("lx_coord")).get_json()["id"]
    stop = threading.Event()
    stop.set()  # SIGTERM arrived: the job is given back at its next row
    with app.app_context():
        assert export_jobs.claim(worker="stopping") == job_id
        assert export_jobs.run_job(job_id, worker="stopping", stop=stop) == "released"
        db.session.remove()
    job = _job(app, job_id)
    assert (job.state, job.claimed_by, job.attempts, job.lease_until) == ("queued", None, 0, None)
    assert not list(export_jobs.settings.directory.glob(f"{job_id}-*"))
    assert work(app, worker="next") == ["done"]  # no lease to wait for
    assert _job(app, job_id).attempts == 1


def test_an_idle_worker_polls_without_writing(app, monkeypatch):
    from sqlalchemy import event

    statements = []
    with app.app_context():
        def seen(conn, cursor, statement, *args):
            statements.append(" ".join(statement.split()).upper())

        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            assert export_jobs.run_once(worker="idle") is None
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        db.session.remove()
    assert statements and all(s.startswith("SELECT") or s == "BEGIN" for s in statements)  # never BEGIN IMMEDIATE


def test_progress_is_written_while_the_rows_stream(app, login_as, monkeypatch):
    monkeypatch.setattr(export_jobs.settings, "progress_every", 5)
    seen = []
    original = export_jobs._mine

    def watching(job_id, worker, **values):
        if "done" in values and "state" not in values:
            seen.append(values["done"])
        return original(job_id, worker, **values)

    monkeypatch.setattr(export_jobs, "_mine", watching)
    _start(login_as("lx_coord"))
    assert work(app) == ["done"]
    assert seen and seen == list(range(5, 5 * len(seen) + 1, 5))


# ------------------------------------------------------------------------------------- expiry

def test_expired_files_are_removed_by_the_scan_and_the_job_says_expired_with_410(app, login_as):
    session = login_as("lx_coord")
    job_id = _start(session).get_json()["id"]
    work(app)
    path = export_jobs.settings.directory / _job(app, job_id).file_path
    assert path.is_file()
    with app.app_context():
        assert export_jobs.expire(now=utcnow() + timedelta(hours=export_jobs.settings.keep_hours - 1)) == 0
        assert export_jobs.expire(now=utcnow() + timedelta(hours=export_jobs.settings.keep_hours + 1)) == 1
        db.session.remove()
    assert not path.exists()
    assert session.get(f"exports/{job_id}").get_json()["state"] == "expired"
    response = session.get(f"exports/{job_id}/file")
    assert response.status_code == 410 and response.get_json()["code"] == "export_expired"


def test_the_worker_scan_expires_files_past_the_configured_hours(app, login_as, monkeypatch):
    session = login_as("lx_coord")
    job_id = _start(session).get_json()["id"]
    work(app)
    monkeypatch.setattr(export_jobs.settings, "keep_hours", 0.0)
    _set(app, ExportJob, ExportJob.id == job_id, expires_at=utcnow() - timedelta(seconds=1))
    assert work(app) == []  # nothing queued: the scan alone ran
    assert session.get(f"exports/{job_id}").get_json()["state"] == "expired"


# ------------------------------------------------------------------------------------- idempotency, limits, audit

def test_a_repeated_post_with_the_same_idempotency_key_makes_one_job(app, login_as):
    session = login_as("lx_coord")
    first = _start(session, headers={"Idempotency-Key": "export-1"})
    again = _start(session, headers={"Idempotency-Key": "export-1"})
    assert again.get_json()["id"] == first.get_json()["id"] and again.headers.get("Idempotent-Replayed") == "true"
    assert again.headers["Location"] == first.headers["Location"]
    with app.app_context():
        assert len(db.session.scalars(select(ExportJob.id)).all()) == 1


def test_the_same_idempotency_key_with_other_filters_is_refused(login_as):
    session = login_as("lx_coord")
    _start(session, headers={"Idempotency-Key": "export-2"})
    response = session.post("exports", json={**PROBLEMS, "filters": {}}, headers={"Idempotency-Key": "export-2"})
    assert response.status_code == 422 and response.get_json()["code"] == "idempotency_key_reused"


def test_starting_jobs_is_rate_limited_per_user(make_app):
    from tests.conftest import login

    limited = make_app(EXPORT_RATE_LIMIT="2 per minute")
    session = login(limited.test_client(), "lx_coord")
    assert [session.post("exports", json=PROBLEMS).status_code for _ in range(3)] == [202, 202, 429]
    other = login(limited.test_client(), "lxx_coord")
    assert other.post("exports", json=PROBLEMS).status_code == 202
    assert session.get("exports").status_code == 200  # reading the progress is not limited by it


def test_the_request_and_the_run_are_audited_with_who_and_what(app, login_as, demo):
    job_id = _start(login_as("lx_coord")).get_json()["id"]
    work(app)
    with app.app_context():
        entries = db.session.execute(select(AuditLog.action, AuditLog.actor_id, AuditLog.object_id, AuditLog.data)
                                     .where(AuditLog.action.in_(("export.requested", "problem.exported")))
                                     .order_by(AuditLog.id)).all()
    user = demo.user_id("lx_coord")
    assert [(a, actor) for a, actor, _, _ in entries] == [("export.requested", user), ("problem.exported", user)]
    assert entries[0].object_id == str(job_id) and entries[0].data["filters"] == PROBLEMS["filters"]
    assert entries[1].data["format"] == "csv" and entries[1].data["filters"]["status"] == ["pending", "in_progress"]


# ------------------------------------------------------------------------------------- the direct routes

@pytest.mark.parametrize("path", ["problems/export.xlsx", "problems/export.csv", "visits/export.csv",
                                  "tasks/export.xlsx", "arrears/export.xlsx"])
def test_a_direct_export_above_the_ceiling_points_to_post_exports(login_as, monkeypatch, path):
    monkeypatch.setattr(export_jobs.settings, "direct_max_rows", 1)
    response = login_as("lx_coord").get(path)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "export_too_large" and body["exports_url"] == "/api/v1/exports"
    assert body["rows"] > body["limit"] == 1 and "POST /api/v1/exports" in body["detail"]


def test_a_direct_export_within_the_ceiling_streams_as_before(login_as, monkeypatch):
    monkeypatch.setattr(export_jobs.settings, "direct_max_rows", 10_000)
    assert login_as("lx_coord").get("problems/export.csv").status_code == 200


def test_a_refused_direct_export_is_not_audited_as_an_export(app, login_as, monkeypatch):
    monkeypatch.setattr(export_jobs.settings, "direct_max_rows", 1)
    login_as("lx_coord").get("problems/export.csv")
    with app.app_context():
        assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "problem.exported")) is None


def test_a_job_deleted_after_its_claim_is_let_go_and_the_worker_goes_on(app, login_as):
    import threading

    forget_demo_jobs(app)
    first = login_as("lx_coord").post("exports", json={"ledger": "problems", "format": "csv", "filters": {}})
    assert first.status_code == 202
    with app.app_context():
        claimed = export_jobs.claim(worker="w")
        db.session.execute(ExportJob.__table__.delete().where(ExportJob.id == claimed))
        db.session.commit()
        assert export_jobs.run_job(claimed, worker="w") == "lost"
        db.session.remove()
    second = login_as("lx_coord").post("exports", json={"ledger": "problems", "format": "csv", "filters": {}})
    with app.app_context():
        assert export_jobs.run(stop=threading.Event(), worker="w", idle_seconds=0.01, drain=True) == 1
        assert db.session.get(ExportJob, second.get_json()["id"]).state == "done"
        db.session.remove()
