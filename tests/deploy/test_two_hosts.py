"""The README's deployment at two-host scale, for real: bench/two_hosts.sh starts two gunicorn hosts and two
`flask deliver` workers behind Debian's nginx, with Redis for the limits, on a copy of the test's PostgreSQL
database, loads it through nginx, kills one host half-way, and prints one PASS/FAIL line per guarantee.
One run of the script (≈ 40 s) serves the whole module; each test reads its own line."""

import os
import shutil
import subprocess

import pytest

from tests.deploy.conftest import ROOT

pytestmark = [
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                       reason="two hosts share one PostgreSQL: runs in the PostgreSQL half (make test-pg)"),
    pytest.mark.skipif(not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")) or not shutil.which("redis-server"),
                       reason="nginx or redis-server is not installed (make test installs both from Debian as root)"),
]


@pytest.fixture(scope="module")
def lines(database):
    url = database.clone("twohosts")
    result = subprocess.run([str(ROOT / "bench" / "two_hosts.sh"), "--quick", "--database-url", url], cwd=ROOT,
                            capture_output=True, text=True, timeout=240,
                            env={**os.environ, "PATH": os.environ.get("PATH", "") + ":/usr/sbin"})
    output = result.stdout + result.stderr
    verdicts = [line for line in output.splitlines() if line.startswith(("PASS", "FAIL"))]
    assert verdicts, output
    return {"output": output, "verdicts": verdicts, "returncode": result.returncode}


def _verdict(lines, text: str) -> str:
    found = [line for line in lines["verdicts"] if text in line]
    assert len(found) == 1, lines["output"]
    return found[0]


@pytest.mark.parametrize("guarantee", [
    "a token issued by host A is accepted by host B",
    "a logout through nginx is seen by both hosts at once",
    "failed logins spread over both hosts lock the account",
    "the login rate limit (10 a minute per address) counts across both hosts",
    "killing host A mid-load loses no acknowledged write",
    "each Idempotency-Key is one problem",
    "nginx never replays a POST that reached the dying host",
    "outbox messages are sent once across both delivery workers",
])
def test_the_two_host_deployment_keeps_the_guarantee(lines, guarantee):
    assert _verdict(lines, guarantee).startswith("PASS"), lines["output"]


def test_the_script_passes_every_check_and_stops_everything(lines):
    assert lines["returncode"] == 0, lines["output"]
    assert "8 passed, 0 failed" in lines["output"]
