"""The phone client on a cheap phone: first-load transfer size of the shell (gzipped, as the browser
received it) and the 我的企业 list's render time at 4× CPU throttling, on the demo data.

Usage: .venv/bin/python bench/web.py   (make bench-web). Starts its own gunicorn on a fresh demo
database; needs Debian's chromium (/usr/bin/chromium). Prints figures; asserts nothing."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 360, "height": 740}
RUNS = 5

TRANSFER = """() => {
  const entries = [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')];
  return entries.map((e) => ({ url: e.name, transfer: e.transferSize, body: e.encodedBodySize, decoded: e.decodedBodySize }));
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(work: Path) -> dict:
    return {**os.environ, "FLASK_APP": "wsgi", "INSTANCE_DIR": str(work), "DATABASE_URL": f"sqlite:///{work}/bench.db",
            "API_RATE_LIMIT": "1000000 per minute", "LOGIN_RATE_LIMIT": "1000 per minute"}


def start_server(work: Path) -> tuple[subprocess.Popen, str]:
    """The demo on a fresh SQLite file in `work`, served as `serve` does."""
    env = bench_env(work)
    subprocess.run([BIN / "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([BIN / "flask", "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    return serve(work)


def serve(work: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn (2 gthread workers × 4 threads) on the database already in `work`: the process and its base URL."""
    env = bench_env(work)
    port = free_port()
    server = subprocess.Popen([BIN / "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
                               "--worker-class", "gthread", "--no-control-socket", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return server, base
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def first_load(browser, base: str, path: str, username: str | None) -> list[dict]:
    """Everything the browser fetched to show `path` with an empty cache (the service worker blocked,
    so its install-time download of the other screens is measured on its own below)."""
    storage = None
    if username:  # signed in already (a stored session), as when the liaison opens the app again
        storage = {"origins": [{"origin": base, "localStorage": [{"name": "lqt.session", "value": stored_session(base, username)}]}]}
    context = browser.new_context(viewport=PHONE, service_workers="block", base_url=base, storage_state=storage)
    page = context.new_page()
    page.goto(path, wait_until="networkidle")
    entries = page.evaluate(TRANSFER)
    context.close()
    return entries


def stored_session(base: str, username: str) -> str:
    body = json.dumps({"username": username, "password": "Demo@2026"}).encode()
    request = urllib.request.Request(base + "/api/v1/auth/login", data=body, headers={"Content-Type": "application/json"})
    tokens = json.load(urllib.request.urlopen(request))
    return json.dumps({"access": tokens["access_token"], "refresh": tokens["refresh_token"],
                       "expiresAt": int(time.time() * 1000) + tokens["expires_in"] * 1000, "user": tokens["user"]})


def kb(n: int) -> str:
    return f"{n / 1024:.1f} KB"


def report_load(name: str, entries: list[dict]) -> None:
    shell = [e for e in entries if "/api/" not in e["url"]]
    data = [e for e in entries if "/api/" in e["url"]]
    print(f"{name}: {len(shell)} files, {kb(sum(e['transfer'] for e in shell))} transferred "
          f"({kb(sum(e['body'] for e in shell))} gzipped bodies, {kb(sum(e['decoded'] for e in shell))} uncompressed); "
          f"data: {len(data)} calls, {kb(sum(e['transfer'] for e in data))}")


def precache_size(base: str) -> tuple[int, int]:
    import re

    sw = urllib.request.urlopen(base + "/app/sw.js").read().decode()
    urls = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", sw).group(1))
    total = 0
    for url in urls:
        request = urllib.request.Request(base + url, headers={"Accept-Encoding": "gzip"})
        total += len(urllib.request.urlopen(request).read())
    return len(urls), total


def render_times(browser, base: str) -> tuple[list[float], list[float]]:
    """我的企业 at 4× CPU throttling: from navigation start to the list on screen (a reload, data from
    the network), and from a tap in the navigation to the list (the app already open)."""
    context = browser.new_context(viewport=PHONE, service_workers="block", base_url=base)
    context.add_init_script("localStorage.setItem('lqt.session', " + json.dumps(stored_session(base, "liaison_ma")) + ")")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    page.goto("/app/enterprises")
    page.get_by_role("list", name="分包企业").get_by_role("listitem").first.wait_for()
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    reloads, taps = [], []
    for _ in range(RUNS):
        page.reload()
        page.get_by_role("list", name="分包企业").get_by_role("listitem").first.wait_for()
        reloads.append(page.evaluate("() => performance.now()"))
        page.get_by_role("link", name="我的问题").click()
        page.get_by_role("list", name="我登记的问题").wait_for()
        start = page.evaluate("() => performance.now()")
        page.get_by_role("link", name="我的企业").click()
        page.get_by_role("list", name="分包企业").get_by_role("listitem").first.wait_for()
        taps.append(page.evaluate("() => performance.now()") - start)
    context.close()
    return reloads, taps


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lqt-bench-web-") as tmp:
        server, base = start_server(Path(tmp))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=ARGS)
                report_load("first load, sign-in screen (/app/login)", first_load(browser, base, "/app/login", None))
                report_load("first load, 我的企业 signed in (/app/enterprises)", first_load(browser, base, "/app/enterprises", "liaison_ma"))
                count, size = precache_size(base)
                print(f"service worker install (every screen, for offline use): {count} files, {kb(size)} gzipped")
                reloads, taps = render_times(browser, base)
                print(f"我的企业 at 4x CPU throttling, median of {RUNS}: reload to list {statistics.median(reloads):.0f} ms "
                      f"(range {min(reloads):.0f}–{max(reloads):.0f}); tap in the navigation to list "
                      f"{statistics.median(taps):.0f} ms (range {min(taps):.0f}–{max(taps):.0f})")
                browser.close()
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    sys.exit(main())
