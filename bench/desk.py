"""The desk workbench at 1366×768: how long after pressing 登录 the 问题台账 shows 20 rows a person can
click (the demo data, an empty browser cache, then with the browser's cache), and how long each page
of the ledger takes at 100,000 problems (the API's page, and 下一页 in the browser until the new rows are
on screen).

Usage: .venv/bin/python bench/desk.py [--rows 100000]   (make bench-desk). Builds its own databases and
gunicorn servers; needs Debian's chromium (/usr/bin/chromium). Prints figures; asserts nothing."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DESK = {"width": 1366, "height": 768}
RUNS = 5


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


phone = _load("web")  # its server, sign-in and browser flags


serve = phone.serve


def ledger_ready(page) -> int:
    """Waits for the first page's rows (20, or all of them when fewer) with their links; returns how many."""
    import re

    counted = page.locator(".pager [role=status]").filter(has_text="共 ")
    counted.wait_for()
    rows = min(20, int(re.search(r"共 (\d+) 条", counted.inner_text()).group(1)))
    page.locator(".ledger tbody tr").nth(rows - 1).get_by_role("link").wait_for()
    return rows


def sign_in_to_ledger(browser, base: str, reuse=None) -> tuple[float, float, object]:
    """ms from pressing 登录 to the first page of clickable rows of 问题台账 (a coordinator's home)."""
    context = reuse or browser.new_context(viewport=DESK, service_workers="block", base_url=base, locale="zh-CN")
    page = context.pages[0] if reuse else context.new_page()
    page.goto("/app/login")
    page.get_by_label("用户名").fill("gs_coord")
    page.get_by_label("密码").fill("Demo@2026")
    start = page.evaluate("() => performance.now()")
    page.get_by_role("button", name="登录").click()
    ledger_ready(page)
    now = page.evaluate("() => performance.now()")
    signed_in = page.evaluate("() => performance.getEntriesByType('resource').filter(e => e.name.endsWith('/api/v1/auth/login')).pop().responseEnd")
    page.evaluate("() => localStorage.clear()")
    return now - start, now - signed_in, context


def paging(browser, base: str) -> tuple[list[float], list[float]]:
    """At the large data set: the API's GET /problems?limit=20&count=true per page (following the cursor),
    and 下一页 in the browser until the next rows are on screen."""
    token = json.loads(phone.stored_session(base, "gs_coord"))["access"]
    api_times, cursor = [], None
    for _ in range(10):
        url = f"{base}/api/v1/problems?limit=20&count=true" + (f"&cursor={cursor}" if cursor else "")
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"})
        start = time.perf_counter()
        with urllib.request.urlopen(request) as response:
            body = response.read()
        api_times.append((time.perf_counter() - start) * 1000)
        if response.headers.get("Content-Encoding") == "gzip":
            import gzip
            body = gzip.decompress(body)
        cursor = json.loads(body)["next_cursor"]
    context = browser.new_context(viewport=DESK, service_workers="block", base_url=base, locale="zh-CN")
    context.add_init_script("localStorage.setItem('lqt.session', " + json.dumps(phone.stored_session(base, "gs_coord")) + ")")
    page = context.new_page()
    page.goto("/app/problems?view=")
    ledger_ready(page)
    clicks = []
    for _ in range(RUNS * 2):
        first = page.locator(".ledger tbody tr").first.get_by_role("link").inner_text()
        start = page.evaluate("() => performance.now()")
        page.get_by_role("button", name="下一页").click()
        page.wait_for_function("(title) => document.querySelector('.ledger tbody tr a')?.textContent !== title"
                               " && document.querySelector('.ledger-wrap')?.getAttribute('aria-busy') === 'false'", arg=first)
        clicks.append(page.evaluate("() => performance.now()") - start)
    context.close()
    return api_times, clicks


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values):.0f} ms (range {min(values):.0f}–{max(values):.0f}, n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    export_memory = _load("export_memory")
    with tempfile.TemporaryDirectory(prefix="lqt-bench-desk-") as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=phone.ARGS)
        demo = Path(tmp) / "demo"
        demo.mkdir()
        server, base = phone.start_server(demo)
        try:
            cold, cold_after = [], []
            for _ in range(RUNS):
                elapsed, after, context = sign_in_to_ledger(browser, base)
                cold.append(elapsed)
                cold_after.append(after)
                context.close()
            *_, context = sign_in_to_ledger(browser, base)
            warm = [sign_in_to_ledger(browser, base, reuse=context)[:2] for _ in range(RUNS)]
            context.close()
            print(f"demo data, 登录 pressed → 20 clickable rows of 问题台账, empty cache: {ms(cold)}")
            print(f"  of which after the sign-in answer (password hashing excluded): {ms(cold_after)}")
            print(f"demo data, 登录 pressed → 20 clickable rows, browser cache warm: {ms([w[0] for w in warm])}")
            print(f"  of which after the sign-in answer: {ms([w[1] for w in warm])}")
        finally:
            server.terminate()
            server.wait(10)
        large = Path(tmp) / "large"
        large.mkdir()
        started = time.monotonic()
        export_memory.build(f"sqlite:///{large}/bench.db", str(large), args.rows)
        print(f"built {args.rows} extra problems in {time.monotonic() - started:.0f} s")
        server, base = serve(large)
        try:
            api_times, clicks = paging(browser, base)
            print(f"{args.rows} problems, GET /problems?limit=20&count=true page by page (province coordinator): {ms(api_times)}")
            print(f"{args.rows} problems, 下一页 → the next 20 rows on screen: {ms(clicks)}")
        finally:
            server.terminate()
            server.wait(10)
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
