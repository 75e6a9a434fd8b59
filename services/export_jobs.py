"""导出任务: a ledger's export as a job that the delivery worker runs into a file, with its progress.

- POST /exports stores the ledger, the list filters exactly as the list route takes them (checked by that
  route's schema, which the HTTP layer registers here with register_parser) and the format; nothing runs yet.
- A worker claims one queued job with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's BEGIN IMMEDIATE
  serialises the claim), rebuilds the REQUESTER's scope from the user row as it is now (a disabled account
  fails the job; a changed role or region exports what the new role sees), streams the rows into a file under
  the instance directory (`.part`, renamed when complete) and writes `done` every few thousand rows, renewing
  its lease with it. A worker that dies leaves the lease to run out; the next worker redoes the job from row
  one (attempts counts the tries; past EXPORT_MAX_ATTEMPTS the job fails).
- Finished files are kept EXPORT_KEEP_HOURS; the worker's scan removes older ones and marks their jobs
  `expired` (the file answers 410 then).
- A job is its requester's alone: anybody else, an admin included, gets 404 for it and its file.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Select, and_, func, or_, select, update

from services import assessment, audit, exports, visit_exports
from services import sorts
from services.actors import Actor
from services.arrears import figures as arrears_figures
from services.arrears.cases import list_cases
from services.db import db, read_only_intent, unit_of_work, utcnow
from services.errors import ExportExpired, ExportNotReady, ExportTooLarge, NotFound, ServiceError, ValidationFailed
from services.labels import ENUM_LABELS
from services.needs import figures as need_figures
from services.models import ArrearsPlanMonth, ArrearsRepayment, ExportJob, ProblemStint, User
from services.paging import paged
from services.problems import queries as problem_queries
from services.tasks import assessment as department_assessment
from services.tasks import queries as task_queries
from services.timeutil import local_today
from services.visits import list_visits

log = logging.getLogger("lianqitong.exports")

Sheet = tuple[str, list, Iterable[list]]


@dataclass
class Settings:
    directory: Path = Path("instance/exports")
    keep_hours: float = 24.0
    direct_max_rows: int = 20_000
    lease_seconds: float = 120.0
    progress_every: int = 2_000
    max_attempts: int = 3


settings = Settings()


def configure(**values) -> None:
    """Set the export jobs' directory, retention, direct-export ceiling, lease and progress step at start-up."""
    for key, value in values.items():
        setattr(settings, key, type(getattr(settings, key))(value))


@dataclass(frozen=True)
class Ledger:
    """One exportable ledger: its file names, the formats it has, its list query (the scope), how many rows an
    export of it writes (for the progress) and its sheets (the same functions the direct export streams, so the
    same scope, masking and audit)."""

    name: str
    title: str
    ascii_name: str
    formats: tuple[str, ...]
    query: Callable[..., Select] | None
    sheets: Callable[[Actor, str, dict], list[Sheet]] | None
    children: tuple = ()  # (model column holding the parent id) rows of the further sheets of an .xlsx
    # A report (one row per county, department or institution) is built whole: (name, ASCII name, content).
    render: Callable[..., tuple[str, str, bytes]] | None = None

    def count(self, actor: Actor, fmt: str, filters: dict) -> int:
        """The rows an export writes: the ledger's, plus those of its further sheets in an .xlsx (a report: 1)."""
        if self.query is None:
            return 1
        stmt = self.query(actor=actor, **filters).order_by(None)
        total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        if fmt == "xlsx" and self.children:
            ids = select(stmt.with_only_columns(stmt.column_descriptions[0]["entity"].id).subquery().c.id)
            for column in self.children:
                total += db.session.scalar(select(func.count()).where(column.in_(ids))) or 0
        return total


def _problem_sheets(actor: Actor, fmt: str, filters: dict) -> list[Sheet]:
    rows = problem_queries.export_rows(actor=actor, labels=ENUM_LABELS, fmt=fmt, **filters)
    sheets = [("问题台账", problem_queries.EXPORT_COLUMNS, rows)]
    if fmt == "xlsx":
        sheets.append(("办理段", problem_queries.STINT_COLUMNS,
                       problem_queries.export_stint_rows(actor=actor, labels=ENUM_LABELS, **filters)))
    return sheets


def _visit_sheets(actor: Actor, fmt: str, filters: dict) -> list[Sheet]:
    rows = visit_exports.export_rows(actor=actor, labels=ENUM_LABELS, fmt=fmt, **filters)
    return [("走访台账", visit_exports.VISIT_COLUMNS, rows)]


def _task_sheets(actor: Actor, fmt: str, filters: dict) -> list[Sheet]:
    rows = task_queries.export_rows(actor=actor, labels=ENUM_LABELS, fmt=fmt, **filters)
    return [("承办任务", task_queries.EXPORT_COLUMNS, rows)]


def _arrears_sheets(actor: Actor, fmt: str, filters: dict) -> list[Sheet]:
    return arrears_figures.export_case_sheets(actor=actor, labels=ENUM_LABELS, **filters)


LEDGERS: dict[str, Ledger] = {ledger.name: ledger for ledger in (
    Ledger("problems", "问题台账", "ledger", ("xlsx", "csv"), problem_queries.list_problems, _problem_sheets,
           (ProblemStint.problem_id,)),
    Ledger("visits", "走访台账", "visits", ("xlsx", "csv"), list_visits, _visit_sheets),
    Ledger("tasks", "承办任务", "tasks", ("xlsx", "csv"), task_queries.list_tasks, _task_sheets),
    Ledger("arrears", "清欠台账", "arrears", ("xlsx",), list_cases, _arrears_sheets,
           (ArrearsPlanMonth.case_id, ArrearsRepayment.case_id)),
    # Reports: their filters as their routes take them; the weights come with the parsed filters.
    Ledger("assessments", "考核评价", "assessment", ("xlsx", "csv"), None, None,
           render=lambda actor, fmt, f: assessment.export(actor=actor, fmt=fmt, **f)),
    Ledger("department_assessments", "部门考核", "department-assessment", ("xlsx",), None, None,
           render=lambda actor, fmt, f: department_assessment.export(actor=actor, **f)),
    Ledger("arrears_monthly", "清欠月度通报", "arrears-monthly", ("xlsx",), None, None,
           render=lambda actor, fmt, f: arrears_figures.export_monthly(actor=actor, **f)),
    Ledger("need_figures", "对接月报", "needs", ("xlsx",), None, None,
           render=lambda actor, fmt, f: need_figures.export_figures(actor=actor, **f)),
    Ledger("institution_ranking", "金融机构排名", "institutions", ("xlsx",), None, None,
           render=lambda actor, fmt, f: need_figures.export_ranking(actor=actor, **f)),
)}

# ledger → the function that turns stored filters (as sent) into the list's keyword arguments; set by the HTTP
# layer from each list route's own query schema, so a job takes exactly what its list takes.
PARSERS: dict[str, Callable[[dict], dict]] = {}


def register_parser(ledger: str, parse: Callable[[dict], dict]) -> None:
    """Register how the stored filters of a ledger's jobs become its list's arguments (the list's schema)."""
    PARSERS[ledger] = parse


def _parse(ledger: str, filters: dict) -> dict:
    try:
        return PARSERS[ledger](filters)
    except KeyError as error:
        raise ValidationFailed(f"未知的筛选条件解析：{ledger}", field="ledger") from error


def file_names(ledger: str, fmt: str) -> tuple[str, str]:
    """The download's Chinese name and its ASCII fallback (问题台账-2026-12-01.xlsx, ledger-2026-12-01.xlsx)."""
    spec, today = LEDGERS[ledger], local_today().isoformat()
    return f"{spec.title}-{today}.{fmt}", f"{spec.ascii_name}-{today}.{fmt}"


def download_names(job: ExportJob) -> tuple[str, str]:
    """A finished job's file name (the day it was written, or the report's own) and its ASCII fallback."""
    name = job.file_name or file_names(job.ledger, job.format)[0]
    return name, job.ascii_name or LEDGERS[job.ledger].ascii_name + name.removeprefix(LEDGERS[job.ledger].title)


# ------------------------------------------------------------------------------------ the direct routes

def check_direct(*, ledger: str, actor: Actor, fmt: str, filters: dict) -> int:
    """Before a direct (streamed) export: the rows it would write. Above EXPORT_DIRECT_MAX_ROWS the direct
    route would outlast the server's timeout, so the caller is sent to POST /exports.
    Raises ExportTooLarge (more rows than the direct route writes)."""
    rows = LEDGERS[ledger].count(actor, fmt, filters)
    db.session.rollback()
    if rows > settings.direct_max_rows:
        raise ExportTooLarge(
            f"本次导出共 {rows} 行，超过直接导出的上限 {settings.direct_max_rows} 行："
            f"请用 POST /api/v1/exports 创建导出任务（ledger={ledger}，format={fmt}），完成后下载",
            extra={"rows": rows, "limit": settings.direct_max_rows, "exports_url": "/api/v1/exports",
                   "ledger": ledger, "format": fmt})
    return rows


# ------------------------------------------------------------------------------------ the HTTP side

@unit_of_work(keep_loaded=True)
def create_job(*, actor: Actor, ledger: str, format: str, filters: dict | None = None) -> ExportJob:  # noqa: A002
    """Queue an export of a ledger with its list filters (checked now by the list's own schema) for the caller.
    Raises ValidationFailed (unknown ledger, a format the ledger has not, filters its list refuses), and what the
    ledger's list raises for the caller (Forbidden for a role that has no such ledger, NotFound, …)."""
    if ledger not in LEDGERS:
        raise ValidationFailed("没有这种台账的导出", field="ledger")
    if format not in LEDGERS[ledger].formats:
        raise ValidationFailed(f"{LEDGERS[ledger].title}只能导出为 {'、'.join(LEDGERS[ledger].formats)}",
                               field="format")
    if actor.user_id is None:
        raise ValidationFailed("导出任务属于一个用户")
    filters = dict(filters or {})
    try:
        parsed = _parse(ledger, filters)
    except ValidationFailed as error:
        errors = {f"filters.{key}": messages for key, messages in (error.errors or {}).items()}
        raise ValidationFailed("筛选条件有误", errors=errors or {"filters": [error.detail]}) from error
    if LEDGERS[ledger].query is not None:
        LEDGERS[ledger].query(actor=actor, **parsed)  # a role that may not read this ledger is refused now
    job = ExportJob(user_id=actor.user_id, ledger=ledger, format=format, filters=filters, state="queued", done=0,
                    attempts=0, created_at=utcnow())
    db.session.add(job)
    db.session.flush()
    audit.record(actor, "export.requested", "export_job", job.id,
                 {"ledger": ledger, "format": format, "filters": filters})
    return job


def list_jobs(*, actor: Actor):
    """The caller's own export jobs (a query, not yet run)."""
    return select(ExportJob).where(ExportJob.user_id == actor.user_id)


def job_page(*, actor: Actor, **args) -> dict:
    """One page of the caller's export jobs, newest first. Raises ValidationFailed (bad cursor)."""
    return paged(list_jobs, sorts.EXPORTS, actor=actor, **args)


def get_job_or_raise(*, actor: Actor, job_id: int) -> ExportJob:
    """One of the caller's export jobs. Anybody else's is not found, whatever the caller's role.
    Raises NotFound (no such job, or another user's)."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.user_id != actor.user_id:
        raise NotFound("导出任务不存在")
    return job


def job_file(*, actor: Actor, job_id: int) -> tuple[ExportJob, Path]:
    """The finished file of one of the caller's jobs.
    Raises NotFound (not the caller's job), ExportExpired (removed after EXPORT_KEEP_HOURS),
    ExportNotReady (queued, running or failed)."""
    job = get_job_or_raise(actor=actor, job_id=job_id)
    if job.state == "expired":
        raise ExportExpired(f"导出文件已于 {job.expires_at:%Y-%m-%d %H:%M} UTC 过期删除，请重新导出")
    path = settings.directory / (job.file_path or "")
    if job.state != "done" or not job.file_path or not path.is_file():
        raise ExportNotReady("导出尚未完成" if job.state in ("queued", "running") else "导出失败，没有文件")
    return job, path


# ------------------------------------------------------------------------------------ the worker side

class LeaseLost(Exception):
    """Another worker holds the job now (this one was too slow to renew its lease)."""


class Stopping(Exception):
    """The worker was asked to stop (SIGTERM) in the middle of a job."""


def _any(stmt) -> bool:
    """Whether a query finds a row, read without taking SQLite's write lock (idle workers poll with it)."""
    token = read_only_intent.set(True)
    try:
        found = db.session.scalar(stmt.limit(1)) is not None
        db.session.rollback()
    finally:
        read_only_intent.reset(token)
    return found


def claim(*, worker: str, now: datetime | None = None) -> int | None:
    """Take one queued job, or a running one whose worker's lease ran out: its id, or None. One short
    transaction."""
    now = now or utcnow()
    due = or_(ExportJob.state == "queued", and_(ExportJob.state == "running", ExportJob.lease_until < now))
    if not _any(select(ExportJob.id).where(due)):
        return None
    stmt = select(ExportJob).where(due).order_by(ExportJob.id).limit(1).with_for_update(skip_locked=True)
    with unit_of_work():
        job = db.session.scalars(stmt).first()
        if job is None:
            return None
        job.state, job.claimed_by, job.lease_until = "running", worker, now + timedelta(seconds=settings.lease_seconds)
        job.attempts += 1
        job.started_at, job.done, job.total, job.error = now, 0, None, None
        return job.id


def _mine(job_id: int, worker: str, **values) -> bool:
    """Write to a job this worker still holds, on a connection of its own (the rows' stream keeps the
    session's); False when the lease has passed to another worker."""
    with db.engine.begin() as connection:
        result = connection.execute(update(ExportJob).where(
            ExportJob.id == job_id, ExportJob.claimed_by == worker, ExportJob.state == "running").values(**values))
    return bool(result.rowcount)


class _Progress:
    """Counts written rows; every `progress_every` rows writes `done` and renews the lease."""

    def __init__(self, job_id: int, worker: str, stop: threading.Event | None = None):
        self.job_id, self.worker, self.done, self.stop = job_id, worker, 0, stop

    def rows(self, rows: Iterable[list]) -> Iterator[list]:
        for row in rows:
            yield row
            self.done += 1
            if self.done % settings.progress_every == 0:
                self.report()
            if self.stop is not None and self.stop.is_set():
                raise Stopping(self.job_id)

    def report(self) -> None:
        lease = utcnow() + timedelta(seconds=settings.lease_seconds)
        if not _mine(self.job_id, self.worker, done=self.done, lease_until=lease):
            raise LeaseLost(self.job_id)


def _fail(job_id: int, worker: str, reason: str) -> None:
    _mine(job_id, worker, state="failed", error=reason[:500], finished_at=utcnow(), lease_until=None)


def run_job(job_id: int, *, worker: str, stop: threading.Event | None = None) -> str:
    """Run one claimed job to its file: the requester's scope as it is now, rows streamed, progress written.
    The job's new state: 'done', 'failed', 'lost' (another worker took it over) or 'released' (`stop` was set
    mid-job: the job is queued again at once for the next worker)."""
    token = read_only_intent.set(True)  # the worker reads; SQLite must not hold the write lock for minutes
    try:
        return _run(job_id, worker, stop)
    finally:
        read_only_intent.reset(token)


def _run(job_id: int, worker: str, stop: threading.Event | None) -> str:
    job = db.session.get(ExportJob, job_id)
    if job is None:  # deleted since it was claimed (its user's data purged): nothing to do
        db.session.rollback()
        return "lost"
    ledger, fmt, filters, attempts = job.ledger, job.format, dict(job.filters or {}), job.attempts
    user = db.session.get(User, job.user_id)
    actor = Actor.for_user(user) if user is not None and user.is_active else None
    db.session.rollback()
    if attempts > settings.max_attempts:
        _fail(job_id, worker, f"导出 {settings.max_attempts} 次均未完成（执行进程中断），请缩小范围后重新导出")
        return "failed"
    if actor is None:
        _fail(job_id, worker, "账号已停用，导出任务未执行")
        return "failed"
    settings.directory.mkdir(parents=True, exist_ok=True)
    for stale in settings.directory.glob(f"{job_id}-*.part"):  # left by a worker whose lease ran out
        stale.unlink(missing_ok=True)
    relative = f"{job_id}-{worker.replace(':', '_').replace('/', '_')}.{fmt}"
    part = settings.directory / (relative + ".part")
    try:
        kwargs = _parse(ledger, filters)
        total = LEDGERS[ledger].count(actor, fmt, kwargs)
        db.session.rollback()
        if not _mine(job_id, worker, total=total):
            raise LeaseLost(job_id)
        progress = _Progress(job_id, worker, stop)
        name, ascii_name = file_names(ledger, fmt)
        with open(part, "wb") as handle:
            if LEDGERS[ledger].render is not None:
                name, ascii_name, content = LEDGERS[ledger].render(actor, fmt, kwargs)
                handle.write(content)
                progress.done = 1
            else:
                sheets = [(title, cols, progress.rows(rows))
                          for title, cols, rows in LEDGERS[ledger].sheets(actor, fmt, kwargs)]
                if fmt == "csv":
                    exports.write_csv(sheets[0][1], sheets[0][2], handle)
                else:
                    exports.write_xlsx(sheets, handle)
        db.session.rollback()
        final = settings.directory / relative
        os.replace(part, final)
        now = utcnow()
        if not _mine(job_id, worker, state="done", done=progress.done, total=max(total, progress.done),
                     file_path=relative, file_name=name[:128], ascii_name=ascii_name[:128],
                     size=final.stat().st_size, finished_at=now,
                     expires_at=now + timedelta(hours=settings.keep_hours), lease_until=None):
            final.unlink(missing_ok=True)
            raise LeaseLost(job_id)
        return "done"
    except LeaseLost:
        db.session.rollback()
        part.unlink(missing_ok=True)
        log.warning("export job %s was taken over by another worker", job_id)
        return "lost"
    except Stopping:
        db.session.rollback()
        part.unlink(missing_ok=True)
        _mine(job_id, worker, state="queued", claimed_by=None, lease_until=None, done=0,
              attempts=max(0, attempts - 1))  # an orderly stop is not a failed try
        log.info("export job %s given back: worker %s is stopping", job_id, worker)
        return "released"
    except ServiceError as error:  # the requester may no longer export this (role changed), bad filters, …
        db.session.rollback()
        part.unlink(missing_ok=True)
        _fail(job_id, worker, error.detail)
        return "failed"
    except Exception as error:  # noqa: BLE001 - one job's bug must not kill the worker
        db.session.rollback()
        part.unlink(missing_ok=True)
        log.exception("export job %s crashed", job_id)
        _fail(job_id, worker, f"内部错误：{error.__class__.__name__}")
        return "failed"


def expire(*, now: datetime | None = None) -> int:
    """Remove the files kept past EXPORT_KEEP_HOURS and mark their jobs expired: how many."""
    now = now or utcnow()
    due = and_(ExportJob.state == "done", ExportJob.expires_at <= now)
    if not _any(select(ExportJob.id).where(due)):
        return 0
    with unit_of_work():
        jobs = db.session.scalars(select(ExportJob).where(due).with_for_update(skip_locked=True)).all()
        for job in jobs:
            if job.file_path:
                (settings.directory / job.file_path).unlink(missing_ok=True)
            job.state, job.file_path = "expired", None
        return len(jobs)


def run_once(*, worker: str, stop: threading.Event | None = None) -> str | None:
    """Expire old files, then claim and run one job: its outcome, or None when nothing was queued."""
    expire()
    job_id = claim(worker=worker)
    if job_id is None:
        return None
    return run_job(job_id, worker=worker, stop=stop)


def outstanding(now: datetime | None = None) -> int:
    """Jobs queued or running: what a draining worker waits for."""
    return db.session.scalar(select(func.count()).where(ExportJob.state.in_(("queued", "running")))) or 0


def run(*, stop: threading.Event, worker: str, idle_seconds: float = 2.0, drain: bool = False) -> int:
    """Run export jobs until `stop` is set (or, with `drain`, until none is queued or running): how many
    finished. A database outage costs a pause, never the worker."""
    from sqlalchemy.exc import DBAPIError

    finished = 0
    while not stop.is_set():
        try:
            outcome = run_once(worker=worker, stop=stop)
        except DBAPIError as error:
            db.session.rollback()
            log.warning("export worker %s: database unavailable (%s)", worker, error.__class__.__name__)
            stop.wait(idle_seconds)
            continue
        except Exception:  # noqa: BLE001 - one bad job or bug must not end the exports of every later one
            db.session.rollback()
            log.exception("export worker %s: unexpected error", worker)
            stop.wait(idle_seconds)
            continue
        if outcome is not None:
            finished += outcome == "done"
            continue
        if drain and outstanding() == 0:
            break
        db.session.rollback()
        stop.wait(idle_seconds)
    db.session.remove()
    return finished
