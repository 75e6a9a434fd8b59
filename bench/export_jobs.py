"""Export jobs: rows per second and memory of the worker that writes a job's file, small against large.

Usage: .venv/bin/python bench/export_jobs.py [--rows 100000] [--small 1000] [--formats csv,xlsx]

Builds a throwaway SQLite database (migrated, demo data, then N extra problems with one stint each, as
bench/export_memory.py builds it) and, in a fresh child process per (format, size), queues the admin's export
of the whole ledger and runs it as `flask deliver` does (claim with a lease, stream the rows into the file,
progress every EXPORT_PROGRESS_ROWS rows). Prints rows written (both sheets of an .xlsx), seconds, rows per
second, the RSS before and its peak while the job runs (VmRSS sampled every 50 ms), and how many progress
writes the job made. Flat memory means peak(N) / peak(small) stays close to 1 whatever N is. Not asserted in
tests: it takes minutes and depends on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from export_memory import _app, _rss_kb, build  # noqa: E402


def measure(url: str, instance: str, fmt: str) -> dict:
    """In this (fresh) process: queue the admin's export of the ledger and run it as the worker does."""
    from sqlalchemy import delete, select

    from services import export_jobs
    from services.actors import Actor
    from services.db import db
    from services.models import ExportJob, User

    app = _app(url, instance)
    writes = []
    original = export_jobs._mine

    def counted(job_id, worker, **values):
        if "done" in values and "state" not in values:
            writes.append(values["done"])
        return original(job_id, worker, **values)

    export_jobs._mine = counted
    with app.app_context():
        db.session.execute(delete(ExportJob))  # the demo's queued job is not this bench's
        db.session.commit()
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        job_id = export_jobs.create_job(actor=Actor.for_user(admin), ledger="problems", format=fmt, filters={}).id
        db.session.remove()
        baseline = _rss_kb()
        peak = [baseline]
        done = threading.Event()

        def sample():
            while not done.wait(0.05):
                peak[0] = max(peak[0], _rss_kb())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        assert export_jobs.claim(worker="bench") == job_id
        outcome = export_jobs.run_job(job_id, worker="bench")
        seconds = time.monotonic() - started
        done.set()
        sampler.join()
        job = db.session.get(ExportJob, job_id)
        result = {"format": fmt, "outcome": outcome, "rows": job.done, "total": job.total, "bytes": job.size,
                  "seconds": round(seconds, 1), "rows_per_second": round(job.done / seconds),
                  "baseline_rss_kb": baseline, "peak_rss_kb": peak[0], "progress_writes": len(writes)}
        db.session.remove()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--child", nargs=3, metavar=("URL", "INSTANCE", "FORMAT"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child)))
        return
    results = {}
    with tempfile.TemporaryDirectory(prefix="lqt-export-jobs-bench-") as work:
        for size in (args.small, args.rows):
            url = f"sqlite:///{work}/bench-{size}.db"
            build(url, work, size)
            for fmt in args.formats.split(","):
                out = subprocess.run([sys.executable, __file__, "--child", url, work, fmt], cwd=ROOT,
                                     capture_output=True, text=True, env={**os.environ, "INSTANCE_DIR": work})
                if out.returncode:
                    sys.exit(out.stderr)
                results[(fmt, size)] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{'format':<6} {'problems':>9} {'rows':>8} {'MB out':>7} {'s':>6} {'rows/s':>7} {'RSS before MB':>14} "
          f"{'peak RSS MB':>12} {'progress writes':>16}")
    for (fmt, size), r in results.items():
        print(f"{fmt:<6} {size:>9} {r['rows']:>8} {r['bytes'] / 1e6:>7.1f} {r['seconds']:>6} {r['rows_per_second']:>7} "
              f"{r['baseline_rss_kb'] / 1024:>14.1f} {r['peak_rss_kb'] / 1024:>12.1f} {r['progress_writes']:>16}")
    for fmt in args.formats.split(","):
        small, large = results[(fmt, args.small)], results[(fmt, args.rows)]
        print(f"{fmt}: peak RSS ratio {args.rows} / {args.small} problems = "
              f"{large['peak_rss_kb'] / small['peak_rss_kb']:.2f}")


if __name__ == "__main__":
    main()
