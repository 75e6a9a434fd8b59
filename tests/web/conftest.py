"""Browser tests of the web client: a real server (Werkzeug, threaded, compression on) over the
fresh demo-seeded test database, driven by Debian's chromium through Playwright at 360×740.

Where chromium or Playwright is missing the tests are skipped with the reason printed
(`make test` installs chromium with apt-get when it runs as root)."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--lang=zh-CN"]
PHONE = {"width": 360, "height": 740}
WEB = Path(__file__).resolve().parents[2] / "web"
AXE = WEB / "vendor" / "axe.min.js"
SCREENS_DIR = os.environ.get("LQT_SCREENS_DIR")  # set: each screen visited is saved there as a PNG


def browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -r requirements-dev.txt)"
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        return f"chromium not found at {CHROMIUM} (apt-get install -y chromium fonts-noto-cjk)"
    return None


def pytest_report_header(config):
    missing = browser_missing()
    return f"browser tests: SKIPPED — {missing}" if missing else f"browser tests: chromium at {CHROMIUM}"


@pytest.fixture(scope="session")
def live_server(_session_app):
    """The app over HTTP on a free port, for the whole session; each test's `app` fixture resets its database."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _session_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def base_url(live_server, app):
    """The server's address, on a freshly reset demo database."""
    return live_server


@pytest.fixture
def export_worker(_session_app, app):
    """The export half of `flask deliver` beside the server (the export buttons start jobs): call it to start the
    worker; it stops when the test ends, before the next test resets the database."""
    from services import export_jobs

    stop, threads = threading.Event(), []

    def run():
        with _session_app.app_context():
            export_jobs.run(stop=stop, worker="browser-test-worker", idle_seconds=0.05)

    def start():
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        threads.append(thread)

    yield start
    stop.set()
    for thread in threads:
        thread.join(30)


@pytest.fixture(scope="session")
def browser():
    missing = browser_missing()
    if missing:
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser, base_url):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=base_url,
                                  geolocation={"latitude": 35.6012, "longitude": 103.2105}, permissions=["geolocation"],
                                  device_scale_factor=1)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(f"{error}\n{error.stack}"))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None)
    yield page
    assert errors == [], errors  # no script error, no CSP violation on any screen


def sign_in(page, username: str, password: str = "Demo@2026") -> None:
    page.goto("/app/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def load_axe(page) -> None:
    """axe-core into the page, from the app's own origin (the CSP allows no inline script). Screens
    change without a reload, so once loaded it stays, offline too."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(url="/app/s/tests/vendor/axe.min.js")


def check_accessibility(page, name: str) -> None:
    """axe-core (vendored) finds no serious or critical violation; the screen is saved when asked."""
    load_axe(page)
    result = page.evaluate("async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
                           " return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)})); }")
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{name}: {json.dumps(bad, ensure_ascii=False)}"
    if SCREENS_DIR:
        Path(SCREENS_DIR).mkdir(parents=True, exist_ok=True)
        # The whole screen in one picture, with the header on top and the navigation at the bottom.
        page.evaluate("() => window.scrollTo(0, 0)")
        height = max(PHONE["height"], page.evaluate("() => document.documentElement.scrollHeight"))
        page.set_viewport_size({"width": PHONE["width"], "height": height})
        page.screenshot(path=str(Path(SCREENS_DIR) / f"{name}.png"))
        page.set_viewport_size(PHONE)



def wait_until_offline_ready(page) -> None:
    """The service worker has stored the shell and every screen (so that the app opens offline)."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
