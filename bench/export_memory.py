"""Memory of the streamed exports: peak RSS while exporting N problems, as a ratio to a small export.

The peak is the highest current RSS (VmRSS, sampled every 50 ms) during the download, next to the RSS
just before it; "growth" is their difference.

Usage: .venv/bin/python bench/export_memory.py [--rows 100000] [--small 1000] [--formats csv,xlsx]

Builds a throwaway SQLite database (migrated, demo data, then N extra problems with one stint each,
inserted in bulk), and exports the ledger through the real Flask app in a fresh child process per
(format, size): each child serves the app on a socket, downloads the export in chunks and reports its
RSS before and at its peak during the download, and the bytes it streamed. Flat
memory means the ratio peak(N) / peak(small) stays close to 1 whatever N is. Not asserted in tests:
it takes minutes and depends on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _app(url: str, instance: str):
    from api import create_app

    # The direct route itself is measured: no ceiling sends it to POST /exports (bench/export_jobs.py measures those).
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": Path(instance), "UPLOAD_DIR": Path(instance),
                       "API_RATE_LIMIT": "1000000 per minute", "LOGIN_RATE_LIMIT": "1000 per minute",
                       "EXPORT_DIRECT_MAX_ROWS": 10**9})


def build(url: str, instance: str, rows: int) -> None:
    """Migrate, seed the demo, then add `rows` problems (and their stints) in bulk."""
    from datetime import timedelta

    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from services.db import db, utcnow
    from services.demo.loader import load
    from services.models import Enterprise, Problem, ProblemStint

    app = _app(url, instance)
    with app.app_context():
        upgrade()
        load()
        firm = db.session.scalar(select(Enterprise).order_by(Enterprise.id))
        now = utcnow()
        batch = 5000
        for start in range(0, rows, batch):
            values = []
            for n in range(start, min(rows, start + batch)):
                at = now - timedelta(days=n % 300, minutes=n % 1440)
                values.append({
                    "number": f"BM-{n:08d}", "enterprise_id": firm.id, "source": "coordinator", "category": "labor",
                    "title": f"压测问题 {n}", "description": "批量生成的问题，用于测量导出内存。", "scope": "county",
                    "urgency": "normal", "level": "county", "owning_region_id": firm.region_id,
                    "status": "in_progress", "arrived_at": at, "accepted_at": at + timedelta(hours=3),
                    "due_at": at + timedelta(days=14), "acceptance_due_at": at + timedelta(days=2),
                    "supervised": False, "reopen_count": 0, "closed_without_feedback": False,
                    "created_at": at, "updated_at": at, "version": 1,
                })
            db.session.execute(insert(Problem), values)
            ids = db.session.execute(select(Problem.id, Problem.arrived_at, Problem.accepted_at, Problem.due_at,
                                            Problem.acceptance_due_at)
                                     .where(Problem.number.in_([v["number"] for v in values]))).all()
            db.session.execute(insert(ProblemStint), [
                {"problem_id": pid, "region_id": firm.region_id, "level": "county", "arrived_at": arrived,
                 "accepted_at": accepted, "due_at": due, "acceptance_due_at": acceptance, "paused_seconds": 0}
                for pid, arrived, accepted, due, acceptance in ids])
            db.session.commit()


def measure(url: str, instance: str, fmt: str, limit_number: str | None) -> dict:
    """In this (fresh) process: serve the app on a real socket, download the export in chunks as a
    client would, and report this process's peak RSS (server and client share it: an upper bound)."""
    import threading

    import requests
    from werkzeug.serving import make_server

    app = _app(url, instance)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/api/v1"
    token = requests.post(f"{base}/auth/login", json={"username": "admin", "password": "Demo@2026"},
                          timeout=30).json()["access_token"]
    baseline = _rss_kb()
    peak = [baseline]
    done = threading.Event()

    def sample():  # current RSS (not the process's all-time high-water mark) while the export runs
        while not done.wait(0.05):
            peak[0] = max(peak[0], _rss_kb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    size = 0
    with requests.get(f"{base}/problems/export.{fmt}", params={"q": limit_number} if limit_number else None,
                      headers={"Authorization": f"Bearer {token}"}, stream=True, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
    done.set()
    sampler.join()
    server.shutdown()
    return {"format": fmt, "bytes": size, "seconds": round(time.monotonic() - started, 1),
            "baseline_rss_kb": baseline, "peak_rss_kb": peak[0],
            "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--child", nargs=3, metavar=("URL", "INSTANCE", "FORMAT"))
    parser.add_argument("--only", default=None)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child, args.only)))
        return
    results = {}
    with tempfile.TemporaryDirectory(prefix="lqt-export-bench-") as work:
        for size in (args.small, args.rows):
            url = f"sqlite:///{work}/bench-{size}.db"
            build(url, work, size)
            for fmt in args.formats.split(","):
                out = subprocess.run([sys.executable, __file__, "--child", url, work, fmt], cwd=ROOT,
                                     capture_output=True, text=True, env={**os.environ, "INSTANCE_DIR": work})
                if out.returncode:
                    sys.exit(out.stderr)
                results[(fmt, size)] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{'format':<6} {'rows':>8} {'MB out':>8} {'s':>7} {'RSS before MB':>14} {'peak RSS MB':>12} "
          f"{'growth MB':>10}")
    for (fmt, size), r in results.items():
        growth = (r["peak_rss_kb"] - r["baseline_rss_kb"]) / 1024
        print(f"{fmt:<6} {size:>8} {r['bytes'] / 1e6:>8.1f} {r['seconds']:>7} {r['baseline_rss_kb'] / 1024:>14.1f} "
              f"{r['peak_rss_kb'] / 1024:>12.1f} {growth:>10.1f}")
    for fmt in args.formats.split(","):
        small, large = results[(fmt, args.small)], results[(fmt, args.rows)]
        print(f"{fmt}: peak RSS ratio {args.rows} rows / {args.small} rows = "
              f"{large['peak_rss_kb'] / small['peak_rss_kb']:.2f}")


if __name__ == "__main__":
    main()
