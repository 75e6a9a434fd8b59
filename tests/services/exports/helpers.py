"""Running the export worker in the test's process, and reading the files back as rows."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import delete

from services import export_jobs
from services.db import db
from services.models import ExportJob


def work(app, worker: str = "test-worker") -> list[str]:
    """Run every queued export job, as one `flask deliver` would: their outcomes in order."""
    outcomes = []
    with app.app_context():
        while (outcome := export_jobs.run_once(worker=worker)) is not None:
            outcomes.append(outcome)
        db.session.remove()
    return outcomes


def forget_demo_jobs(app) -> None:
    """Remove the demo's export jobs and earlier tests' files, so a test's worker runs the test's jobs only."""
    with app.app_context():
        db.session.execute(delete(ExportJob))
        db.session.commit()
    if export_jobs.settings.directory.is_dir():
        for path in export_jobs.settings.directory.iterdir():
            path.unlink()


def rows(content: bytes, fmt: str) -> dict[str, list[list]]:
    """Sheet title → its rows (the header first); a CSV is one sheet named "csv"."""
    if fmt == "csv":
        return {"csv": list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))}
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
