"""Export jobs (导出任务): a ledger's export run by the delivery worker into a file, with its progress."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db import UTCDateTime, db, utcnow

EXPORT_STATES = ("queued", "running", "done", "failed", "expired")
# The ledgers (streamed row by row) and the reports (one row per region, department or institution).
EXPORT_LEDGERS = ("problems", "visits", "tasks", "arrears", "assessments", "department_assessments",
                  "arrears_monthly", "need_figures", "institution_ranking")
EXPORT_FORMATS = ("xlsx", "csv")


class ExportJob(db.Model):
    """One requested export: which ledger, its list filters as sent, the format; a worker claims it with a lease
    (state `running`), writes the file under the instance directory and reports `done`/`total` rows as it goes."""

    __tablename__ = "export_jobs"
    __table_args__ = (Index("ix_export_jobs_due", "state", "lease_until"),
                      Index("ix_export_jobs_user_id_id", "user_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    ledger: Mapped[str] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(8))
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    file_path: Mapped[str | None] = mapped_column(String(255))
    file_name: Mapped[str | None] = mapped_column(String(128))
    ascii_name: Mapped[str | None] = mapped_column(String(128))
    size: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
