"""Demo step 80: 导出任务 — the prefecture coordinator's export history: one province-style ledger export
waiting for the worker (`make run` starts one, which writes it within seconds) and one from two days ago whose
file was removed after EXPORT_KEEP_HOURS."""

from datetime import timedelta

from services.db import db, utcnow
from services.models import ExportJob
from services.timeutil import to_local

STEP_ORDER = 80


def run(ctx: dict) -> None:
    """Queue lx_coord's export of the open problems and keep the trace of an expired one."""
    owner = ctx["users"]["lx_coord"]
    now = utcnow()
    made = now - timedelta(days=2, hours=3)
    db.session.add_all([
        ExportJob(user_id=owner.id, ledger="visits", format="csv", filters={"method": "on_site"}, state="expired",
                  done=37, total=37, attempts=1, created_at=made, started_at=made + timedelta(seconds=2),
                  finished_at=made + timedelta(seconds=4), expires_at=made + timedelta(hours=24),
                  file_name=f"走访台账-{to_local(made).date().isoformat()}.csv", size=4821),
        ExportJob(user_id=owner.id, ledger="problems", format="xlsx", filters={"status": "pending,in_progress"},
                  state="queued", done=0, attempts=0, created_at=now - timedelta(minutes=1)),
    ])
