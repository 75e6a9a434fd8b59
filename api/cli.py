"""Flask CLI commands: demo data, audit verification, housekeeping."""

from datetime import timedelta
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup


def _checkpoint_file(app: Flask) -> Path:
    return Path(app.config.get("AUDIT_CHECKPOINT_FILE") or Path(app.config["INSTANCE_DIR"]) / "audit-checkpoint.jsonl")


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo():
        """Load the demo data into an empty database (idempotent)."""
        from services.demo import load

        created = load(upload_dir=Path(app.config["UPLOAD_DIR"]))
        click.echo("演示数据已加载" if created else "演示数据已存在，未做改动")

    @app.cli.command("audit-verify")
    def audit_verify():
        """Verify the audit hash chain; name the first broken row."""
        from services import audit
        from services.db import utcnow

        result = audit.verify()
        if not result.ok:
            click.echo(f"审计链断裂：第 {result.broken_seq} 条（id={result.broken_id}）：{result.reason}", err=True)
            raise SystemExit(1)
        sealed = audit.verify_checkpoint(key=app.config["AUDIT_HMAC_KEY"], path=_checkpoint_file(app))
        if sealed is not None and not sealed.ok:
            click.echo(f"审计链与检查点不符：第 {sealed.broken_seq} 条：{sealed.reason}", err=True)
            raise SystemExit(1)
        # Rows after the last checkpoint can be rewritten consistently by a database writer: they must not
        # stay unsealed longer than the interval (twice it once a checkpoint exists, for the cron's slack).
        interval = timedelta(minutes=app.config["AUDIT_CHECKPOINT_MINUTES"])
        oldest = audit.oldest_unsealed(sealed.checked if sealed is not None else 0)
        allowed = interval if sealed is None else 2 * interval
        if oldest is not None and oldest < utcnow() - allowed:
            what = "尚无检查点" if sealed is None else "最近检查点之后的记录长时间未封存"
            click.echo(f"审计链未按时封存：{what}，最早未封存记录写于 {oldest.isoformat()}，"
                       f"超过 {int(allowed.total_seconds() // 60)} 分钟（请按时运行 flask audit-checkpoint）", err=True)
            raise SystemExit(1)
        suffix = "，与最近检查点一致" if sealed is not None else "（尚无检查点）"
        click.echo(f"审计链完整：{result.checked} 条记录{suffix}")

    @app.cli.command("mfa-enrolment")
    @click.argument("username")
    def mfa_enrolment(username):
        """Issue a one-time enrolment code for USERNAME's authenticator (the first admin's, out of band)."""
        from sqlalchemy import select

        from services import accounts, mfa
        from services.db import db
        from services.models import User

        user_id = db.session.scalar(select(User.id).where(User.username == accounts.canonical_username(username)))
        if user_id is None:
            click.echo(f"账号不存在：{username}", err=True)
            raise SystemExit(1)
        issued = mfa.issue_enrolment_code(actor=None, user_id=user_id, valid_hours=app.config["MFA_ENROLMENT_HOURS"])
        click.echo(f"绑定码（{issued['expires_at']:%Y-%m-%d %H:%M} UTC 前有效，仅可使用一次）：{issued['enrolment_code']}")

    @app.cli.command("audit-checkpoint")
    def audit_checkpoint():
        """Seal the audit chain's head with an HMAC (run it from cron, e.g. hourly)."""
        from services import audit

        entry = audit.checkpoint(key=app.config["AUDIT_HMAC_KEY"], path=_checkpoint_file(app))
        click.echo(f"已记录检查点：第 {entry['seq']} 条")

    @app.cli.command("purge-idempotency")
    def purge_idempotency():
        """Delete Idempotency-Key records older than 24 hours."""
        from services import idempotency

        click.echo(f"已清理 {idempotency.purge_expired()} 条过期幂等记录")

    @app.cli.command("purge-tokens")
    def purge_tokens():
        """Delete revoked-token rows past their expiry."""
        from services import accounts

        click.echo(f"已清理 {accounts.purge_expired_tokens()} 条过期注销记录")

    figures = AppGroup("figures", help="日调度 figures the write path keeps.")

    @figures.command("rebuild")
    def figures_rebuild():
        """Compute the dashboard's kept figures again from every problem, task and visit (one transaction)."""
        from services.figures import rebuild_all

        counted = rebuild_all()
        click.echo(f"日调度数据已重建：问题 {counted['problems']} 条，派单 {counted['tasks']} 条，走访 {counted['visits']} 条")

    app.cli.add_command(figures)

    @app.cli.command("scan")
    def scan():
        """Open, escalate and close warnings (run every few minutes; idempotent)."""
        from services import monitoring

        from services.needs import core as need_core

        result = monitoring.scan()
        click.echo("预警扫描完成：新开 {opened} 条，升级 {escalated} 条，解除 {closed} 条".format(**result.as_dict())
                   + f"；期限提醒 {sum(result.reminders.values())} 条")
        click.echo(f"对接需求：{need_core.expire_stale()} 条过期")

    @app.cli.command("deliver")
    @click.option("--batch", default=20, show_default=True, help="rows claimed per transaction")
    @click.option("--idle", default=2.0, show_default=True, help="seconds to wait when nothing is due")
    @click.option("--drain", is_flag=True, help="stop once no message is due or being sent (and no export queued)")
    @click.option("--once", is_flag=True, help="claim and send one batch (and run one export job), then stop")
    @click.option("--exports/--no-exports", default=True, show_default=True,
                  help="also run export jobs (POST /exports), in a thread of their own")
    def deliver(batch, idle, drain, once, exports):
        """Deliver the outbox and run export jobs (long-running; several workers on several hosts share the work)."""
        import signal
        import threading

        from services import export_jobs
        from services.delivery import worker

        name = worker.worker_name()
        if once:
            result = worker.run_once(worker=name, batch=batch)
            if exports:
                export_jobs.run_once(worker=name)
        else:
            stop = threading.Event()
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
            thread = None
            if exports:
                flask_app = app

                def run_exports():
                    with flask_app.app_context():
                        export_jobs.run(stop=stop, worker=name, idle_seconds=idle, drain=drain)

                thread = threading.Thread(target=run_exports, name="exports", daemon=True)
                thread.start()
            result = worker.run(stop=stop, worker=name, batch=batch, idle_seconds=idle, drain=drain)
            if thread is not None:
                while thread.is_alive():
                    thread.join(0.5)
        click.echo(f"投递结束：送达 {result.sent} 条，待重试 {result.failed} 条，转入失败 {result.dead} 条")

    @app.cli.command("bench-data")
    @click.option("--problems", default=100_000, show_default=True, help="problems to add")
    @click.option("--enterprises", default=20_000, show_default=True, help="enterprises to add")
    @click.option("--append", is_flag=True, help="add to the bench data already there")
    @click.option("--seed", default=18, show_default=True, help="random seed (the same seed, the same data)")
    def bench_data(problems, enterprises, append, seed):
        """Add bench data over the province on top of the demo data (bench/scale.py measures it)."""
        from services import benchdata
        from services.errors import ServiceError

        try:
            loaded = benchdata.generate(problems=problems, enterprises=enterprises, append=append, seed=seed,
                                        log=click.echo)
        except ServiceError as error:
            click.echo(error.detail, err=True)
            raise SystemExit(1) from None
        counts = "，".join(f"{table} {n}" for table, n in loaded.counts.items())
        click.echo(f"压测数据已写入（{loaded.seconds:.0f} 秒）：{counts}")
