"""Flask CLI commands: demo data, audit verification, housekeeping."""

from pathlib import Path

import click
from flask import Flask


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

        result = audit.verify()
        if not result.ok:
            click.echo(f"审计链断裂：第 {result.broken_seq} 条（id={result.broken_id}）：{result.reason}", err=True)
            raise SystemExit(1)
        sealed = audit.verify_checkpoint(key=app.config["AUDIT_HMAC_KEY"], path=_checkpoint_file(app))
        if sealed is not None and not sealed.ok:
            click.echo(f"审计链与检查点不符：第 {sealed.broken_seq} 条：{sealed.reason}", err=True)
            raise SystemExit(1)
        suffix = "，与最近检查点一致" if sealed is not None else "（尚无检查点）"
        click.echo(f"审计链完整：{result.checked} 条记录{suffix}")

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

    @app.cli.command("scan")
    def scan():
        """Open, escalate and close warnings (run every few minutes; idempotent)."""
        from services import monitoring

        result = monitoring.scan()
        click.echo("预警扫描完成：新开 {opened} 条，升级 {escalated} 条，解除 {closed} 条".format(**result.as_dict()))
