"""`make run` (scripts/serve.sh) starts a delivery worker beside gunicorn, which delivers what the web
server's writes put in the outbox, and stopping the script stops both."""

import signal
import time
from pathlib import Path

import requests

from tests.services.delivery.conftest import receiver  # noqa: F401 - the recording HTTP server fixture


def _children(pid: int) -> dict[int, str]:
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = cmdline
    return found


def _alive(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return False


def _wait_for(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_make_run_delivers_the_outbox_and_stops_its_worker_with_the_server(gunicorn, receiver, demo):  # noqa: F811
    base, log = gunicorn(WEBHOOK_URL=receiver.url("/city"), WEBHOOK_SECRET="city", DELIVERY_WORKERS="1")
    script = gunicorn.started[-1]
    children = _children(script.pid)
    workers = [pid for pid, cmd in children.items() if " deliver" in cmd]
    assert len(workers) == 1 and any("gunicorn" in cmd for cmd in children.values()), children

    session = requests.Session()
    token = session.post(f"{base}/api/v1/auth/login", json={"username": "liaison_ma", "password": "Demo@2026"})
    session.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    filed = session.post(f"{base}/api/v1/problems", json={
        "enterprise_id": demo.enterprise_id("清河源"), "category": "labor", "title": "夜班工人宿舍不足",
        "description": "需要协调周转房", "scope": "county"})
    assert filed.status_code == 201
    number = filed.json()["number"]
    assert _wait_for(lambda: any(number in r.json.get("text", "") for r in list(receiver.requests))), log.read_text()

    script.send_signal(signal.SIGTERM)
    script.wait(timeout=30)
    assert _wait_for(lambda: not any(_alive(pid) for pid in children), 15)
