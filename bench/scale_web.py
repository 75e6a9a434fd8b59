"""The desk client at province scale (issue 18, point 7): 日调度 (the dashboard) and 问题台账 (the ledger) opened in
Debian's chromium on the bench data (`flask bench-data`, 100 000 problems by default), timed from navigation
start to the first rows on screen / the chart drawn, as a ratio to a static page of 20 rows served by the same
gunicorn in the same run (/bench/static, bench/scale_app.py). It also lists what the ledger asked the API for
before the answer with its rows arrived (the rows must not wait for a count or for other pages).

    .venv/bin/python bench/scale_web.py [--db sqlite|postgres] [--problems 100000] [--workdir DIR]

The server and the data are bench/scale.py's (--workdir shares one database between both). Prints figures;
asserts nothing."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402 - bench/scale.py, beside this file

ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
DESK = {"width": 1366, "height": 768}
ACCOUNTS = (("gs_coord", "省"), ("lx_coord", "州"), ("lxx_coord", "县"))


def stored_session(base: str, username: str) -> str:
    """What the client keeps in localStorage after signing in (so the screens open signed in)."""
    tokens = requests.post(f"{base}/api/v1/auth/login", json={"username": username, "password": scale.PASSWORD},
                           timeout=30).json()
    return json.dumps({"access": tokens["access_token"], "refresh": tokens["refresh_token"],
                       "expiresAt": int(time.time() * 1000) + tokens["expires_in"] * 1000, "user": tokens["user"]})


def static_ms(browser, base: str) -> float:
    """Navigation start → the static page's 20th row on screen."""
    context = browser.new_context(viewport=DESK, base_url=base)
    page = context.new_page()
    page.goto("/bench/static")
    page.locator("table tr").nth(19).get_by_role("link").wait_for()
    elapsed = page.evaluate("() => performance.now()")
    context.close()
    return elapsed


ENTRIES = """() => ({now: performance.now(), api: performance.getEntriesByType('resource')
  .filter((e) => e.name.includes('/api/v1/'))
  .map((e) => ({url: e.name.split('/api/v1')[1], start: e.startTime, end: e.responseEnd}))})"""


def screen_ms(browser, base: str, session: str, path: str, ready) -> tuple[float, list[str]]:
    """Navigation start → `ready(page)` done on the screen at `path`; and the API requests sent before the
    answer of the screen's first list request (`GET /problems?limit=20`) arrived (none but it, if the rows
    wait for nothing else)."""
    context = browser.new_context(viewport=DESK, service_workers="block", base_url=base, locale="zh-CN")
    context.add_init_script("localStorage.setItem('lqt.session', " + json.dumps(session) + ")")
    page = context.new_page()
    page.goto(path)
    ready(page)
    seen = page.evaluate(ENTRIES)
    context.close()
    first = next((e for e in seen["api"] if e["url"].startswith("/problems?limit=20")), None)
    before = [e["url"] for e in seen["api"] if first is not None and e["start"] < first["end"]]
    return seen["now"], before


def ledger_rows(page) -> None:
    """The first page of rows with their links (20, the bench data has far more)."""
    page.locator(".ledger tbody tr").nth(19).get_by_role("link").wait_for(timeout=120_000)


def chart_drawn(page) -> None:
    """The figures and the charts (ECharts draws a canvas once it has the data)."""
    page.locator(".chart canvas").first.wait_for(timeout=120_000)
    page.get_by_role("list", name="主要指标").wait_for(timeout=120_000)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args(argv)
    args.server = "make"
    work = args.workdir or Path(tempfile.mkdtemp(prefix="lqt-scale-web."))
    work.mkdir(parents=True, exist_ok=True)
    if args.db == "postgres":
        args.database_url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
        if not args.database_url.startswith("postgresql"):
            raise SystemExit("--db postgres：请在 scripts/with-postgres.sh 中运行")
    else:
        args.database_url = f"sqlite:///{work / 'bench.db'}"
    print(f"工作目录 {work}", flush=True)
    scale.prepare(args, work)
    counts = scale.fixtures(args, work)["counts"]
    processes, base = scale.serve(args, work)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                                 args=ARGS)
            static_ms(browser, base)  # warm the browser once
            for username, level in ACCOUNTS:
                session = stored_session(base, username)
                static, ledger, dashboard, asked = [], [], [], []
                for _ in range(args.runs):
                    static.append(static_ms(browser, base))
                    elapsed, sent = screen_ms(browser, base, session, "/app/problems?view=", ledger_rows)
                    ledger.append(elapsed)
                    asked = sent
                    dashboard.append(screen_ms(browser, base, session, "/app/dashboard", chart_drawn)[0])
                s, lg, d = (statistics.median(v) for v in (static, ledger, dashboard))
                code = {"gs_coord": "620000", "lx_coord": "622900", "lxx_coord": "622921"}[username]
                rows.append((f"{level}（{username}，{counts[code]} 个问题）", s, lg, d,
                             [a for a in asked if a.startswith("/problems")]))
            browser.close()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    print(f"\n# 浏览器：chromium，{DESK['width']}×{DESK['height']}，每项 {args.runs} 次取中位数；{scale.machine()}")
    print("| 账号 | 静态页 ms | 问题台账首屏 ms | 比值 | 日调度图表 ms | 比值 | 台账首页应答前发出的 API 请求 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, s, lg, d, asked in rows:
        print(f"| {name} | {s:.0f} | {lg:.0f} | {lg / s:.1f}× | {d:.0f} | {d / s:.1f}× | {'; '.join(asked)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
