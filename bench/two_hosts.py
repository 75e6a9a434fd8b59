"""The README's deployment at two-host scale on this machine, and what it must guarantee, through nginx.

Started by bench/two_hosts.sh, which gives it a PostgreSQL server (TEST_DATABASE_URL; scripts/with-postgres.sh
starts a throwaway one when none is given). On that server it creates its own database, migrates it, loads the
demo and gives the demo accounts a password of their own (APP_ENV=production refuses the published one). Then:

- one Redis (Debian's redis-server, bench/two_hosts/redis.conf) for the rate-limit counters;
- two app servers, "host A" and "host B": separate gunicorn processes on their own ports, each with its own
  instance folder, both with the same environment file (bench/two_hosts/lianqitong.env);
- two delivery workers (`flask deliver`, the README's systemd line) sending to a recording webhook receiver;
- nginx from Debian's package in front (bench/two_hosts/site.conf, the README's site), on its own port.

Every check goes through nginx, except where a request must reach one named host. Clients connect from
their own loopback address per check (127.0.0.2, …), so nginx's access log tells which host served each.
One PASS/FAIL line per guarantee; the exit status is 0 only when all pass. Everything started is stopped
on exit (also on Ctrl-C or SIGTERM).

    bench/two_hosts.sh            # 20 s of write load, the host killed after 10 s
    bench/two_hosts.sh --quick    # 6 s (tests/deploy/test_two_hosts.py)
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "bench" / "two_hosts"
BIN = Path(sys.executable).parent
LOCKOUT_USER = "kl_coord"
LOAD_USER = "liaison_ma"
MAX_FAILURES = 5  # services/accounts/login.py
LOGIN_LIMIT = 10  # LOGIN_RATE_LIMIT's default: 10 per minute per address


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fill(template: Path, values: dict[str, str]) -> str:
    text = template.read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise RuntimeError(f"{template.name}: no value for {left}")
    return text


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise RuntimeError(f"timed out waiting for {what}")


class Http:
    """One request per connection, from a chosen loopback source address (so nginx logs who asked)."""

    def __init__(self, port: int, source: str = "127.0.0.1"):
        self.port, self.source = port, source

    def __call__(self, method: str, path: str, body=None, token: str | None = None, headers=None,
                 timeout: float = 60):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                                source_address=(self.source, 0))
        head = {"Accept": "application/json", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            head["Content-Type"] = "application/json"
        if token:
            head["Authorization"] = f"Bearer {token}"
        try:
            connection.request(method, "/api/v1" + path if path.startswith("/") and not path.startswith(
                ("/healthz", "/readyz")) else path, body=data, headers=head)
            answer = connection.getresponse()
            payload = answer.read()
        finally:
            connection.close()
        try:
            parsed = json.loads(payload) if payload else None
        except ValueError:
            parsed = None
        return answer.status, parsed, dict(answer.getheaders())


class Receiver:
    """The webhook endpoint (a 12345 platform): checks each signature and counts X-LQT-Message-Id."""

    def __init__(self, secret: str):
        self.secret, self.received, self.bad_signatures = secret.encode(), Counter(), 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                expected = "sha256=" + hmac.new(receiver.secret, body, hashlib.sha256).hexdigest()
                with receiver.lock:
                    if not hmac.compare_digest(expected, self.headers.get("X-LQT-Signature", "")):
                        receiver.bad_signatures += 1
                    receiver.received[self.headers.get("X-LQT-Message-Id")] += 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/12345"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Deployment:
    """Starts and stops the pieces; `processes` in start order, each in its own process group."""

    def __init__(self, server_url: str, workdir: Path, storage: str | None, prepared: bool = False):
        self.workdir, self.logs = workdir, workdir / "logs"
        self.logs.mkdir(parents=True)
        self.processes: dict[str, subprocess.Popen] = {}
        self.outputs: dict[str, Path] = {}
        # prepared: server_url names a migrated database with the demo loaded (a test's copy), used as it is.
        self.server_url, self.prepared = server_url, prepared
        self.dbname = urlsplit(server_url).path.lstrip("/") if prepared else f"lqt_two_hosts_{uuid.uuid4().hex[:8]}"
        self.admin_db = urlsplit(server_url).path.lstrip("/") or "postgres"  # the server's own, to create ours
        self.storage_override = storage
        self.secret = secrets.token_urlsafe(16)
        self.password = "Bench@" + secrets.token_urlsafe(12)
        self.receiver = Receiver(self.secret)

    # -- the database -------------------------------------------------------------------------------
    def _libpq(self, database: str) -> str:
        parts = urlsplit(self.server_url.replace("postgresql+psycopg://", "postgresql://"))
        return parts._replace(path="/" + database).geturl()

    @property
    def database_url(self) -> str:
        return self._libpq(self.dbname).replace("postgresql://", "postgresql+psycopg://")

    def sql(self, query: str, params=None) -> list[tuple]:
        with psycopg.connect(self._libpq(self.dbname), autocommit=True) as connection:
            cursor = connection.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def create_database(self):
        if self.prepared:
            return
        with psycopg.connect(self._libpq(self.admin_db), autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{self.dbname}"')

    def drop_database(self):
        if self.prepared:
            return
        with contextlib.suppress(psycopg.Error), psycopg.connect(self._libpq(self.admin_db), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')

    # -- configuration -------------------------------------------------------------------------------
    def write_config(self):
        self.ports = {"a": free_port(), "b": free_port(), "nginx": free_port(), "redis": free_port()}
        storage = self.storage_override or f"redis://127.0.0.1:{self.ports['redis']}/0"
        env_text = fill(CONF / "lianqitong.env", {
            "DATABASE_URL": self.database_url, "JWT_SECRET_KEY": secrets.token_urlsafe(48),
            "AUDIT_HMAC_KEY": secrets.token_urlsafe(32), "RATELIMIT_STORAGE_URI": storage,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.ports['nginx']}", "WEBHOOK_URL": self.receiver.url,
            "WEBHOOK_SECRET": self.secret, "UPLOAD_DIR": str(self.workdir / "uploads")})
        (self.workdir / "lianqitong.env").write_text(env_text)
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_DATABASE"))},
                    **dict(line.split("=", 1) for line in env_text.splitlines() if line and not line.startswith("#")),
                    # The bench's only departures from the file: the load's user may send more than 600
                    # requests a minute, a claimed key whose host died is free again after 3 s, not 60, …
                    "API_RATE_LIMIT": "100000 per minute", "IDEMPOTENCY_STALE_SECONDS": "3",
                    # and argon2 at its lowest cost: the checks sign in a few dozen times, hashing is not measured.
                    "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "1024"}
        site = self.workdir / "site.conf"
        site.write_text(fill(CONF / "site.conf", {"APP_A": f"127.0.0.1:{self.ports['a']}",
                                                  "APP_B": f"127.0.0.1:{self.ports['b']}",
                                                  "LISTEN": f"127.0.0.1:{self.ports['nginx']}",
                                                  "LOGS": str(self.logs)}))
        (self.workdir / "nginx.conf").write_text(fill(CONF / "nginx.conf", {
            "PREFIX": str(self.workdir), "LOGS": str(self.logs), "SITE": str(site)}))

    def flask(self, *args, env=None):
        result = subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env or self.env, capture_output=True,
                                text=True, timeout=300)
        if result.returncode:
            raise RuntimeError(f"flask {' '.join(args)}: {result.stdout}{result.stderr}")
        return result.stdout

    def prepare_database(self):
        """Migrate and load the demo (as development: production refuses demo passwords), then give every
        account the bench's own password so production starts."""
        development = {**self.env, "APP_ENV": "development", "INSTANCE_DIR": str(self.workdir / "setup")}
        if not self.prepared:
            self.flask("db", "upgrade", env=development)
            self.flask("seed-demo", env=development)
        # Hashed at argon2's lowest cost: every process of production checks each demo account's hash at
        # start, and the lockout check signs in a dozen times; the bench measures no password hashing.
        code = ("from services import passwords; import sys, psycopg; passwords.configure(time_cost=1, "
                "memory_cost=1024); h = passwords.hash_password(sys.argv[2]); "
                "c = psycopg.connect(sys.argv[1], autocommit=True); c.execute('UPDATE users SET password_hash = %s', (h,))")
        subprocess.run([sys.executable, "-c", code, self._libpq(self.dbname), self.password], cwd=ROOT, check=True,
                       env=development, timeout=120)

    # -- processes ------------------------------------------------------------------------------------
    def start(self, name: str, command: list[str], env=None):
        log = self.logs / f"{name}.log"
        self.outputs[name] = log
        self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=env or self.env, stdout=log.open("w"),
                                                stderr=subprocess.STDOUT, start_new_session=True)

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None

    def start_all(self):
        self.start("redis", ["redis-server", str(CONF / "redis.conf"), "--port", str(self.ports["redis"]),
                             "--dir", str(self.workdir)])
        for host in ("a", "b"):
            instance = self.workdir / f"host-{host}"
            instance.mkdir()
            # The README's gunicorn line, one per host (2 workers each: this machine has 2 cores for both).
            self.start(f"host-{host}", [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.ports[host]}",
                                        "--workers", "2", "--threads", "4", "--worker-class", "gthread",
                                        "--access-logfile", "-", "wsgi:app"],
                       env={**self.env, "INSTANCE_DIR": str(instance)})
        for n in (1, 2):
            self.start(f"deliver-{n}", [str(BIN / "flask"), "deliver", "--batch", "20", "--idle", "2"],
                       env={**self.env, "INSTANCE_DIR": str(self.workdir / f"host-{'ab'[n - 1]}")})
        self.start("nginx", ["nginx", "-c", str(self.workdir / "nginx.conf"), "-p", str(self.workdir)])
        for name, port in (("host-a", self.ports["a"]), ("host-b", self.ports["b"]), ("nginx", self.ports["nginx"])):
            wait_until(lambda n=name, p=port: self._ready(n, p), 60, f"{name} to answer /readyz")
        time.sleep(0.5)  # every gunicorn worker up before the checks

    def _ready(self, name: str, port: int) -> bool:
        if not self.alive(name):
            raise RuntimeError(f"{name} exited: {self.outputs[name].read_text()[-3000:]}")
        try:
            return Http(port)("GET", "/readyz", timeout=5)[0] == 200
        except OSError:
            return False

    def kill(self, name: str):
        """The host dies: SIGKILL to its whole process group (master and workers), nothing finishes."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(timeout=10)

    def stop_all(self):
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        self.receiver.close()

    def access_log(self) -> list[dict]:
        pattern = re.compile(r'^(\S+) \[(\S+)\] "(\S+) (\S+)" (\d+) upstream="([^"]*)" upstream_status="([^"]*)"')
        rows = []
        for line in (self.logs / "access.log").read_text().splitlines():
            match = pattern.match(line)
            if match:
                client, _at, method, uri, status, upstream, upstream_status = match.groups()
                rows.append({"client": client, "method": method, "uri": uri, "status": int(status),
                             "upstreams": [u.strip() for u in upstream.split(",") if u.strip() and u.strip() != "-"],
                             "upstream_status": upstream_status})
        return rows


class Report:
    def __init__(self):
        self.results: list[tuple[bool, str]] = []
        self.started = time.monotonic()

    def check(self, ok: bool, text: str, detail: str = ""):
        self.results.append((ok, text))
        print(f"{'PASS' if ok else 'FAIL'}  {text} [{time.monotonic() - self.started:.0f} s]"
              + (f"\n      {detail}" if detail else ""), flush=True)

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(ok for ok, _ in self.results)


def login(http: Http, username: str, password: str):
    return http("POST", "/auth/login", {"username": username, "password": password})


def served_by(deployment: Deployment, client: str) -> set[str]:
    names = {f"127.0.0.1:{deployment.ports['a']}": "A", f"127.0.0.1:{deployment.ports['b']}": "B"}
    return {names.get(u, u) for row in deployment.access_log() if row["client"] == client for u in row["upstreams"]}


def check_tokens(d: Deployment, report: Report):
    host_a, host_b = Http(d.ports["a"]), Http(d.ports["b"])
    status, body, _ = login(host_a, LOAD_USER, d.password)
    token = body["access_token"] if status == 200 else None
    on_b = host_b("GET", "/me", token=token)
    report.check(status == 200 and on_b[0] == 200 and on_b[1]["username"] == LOAD_USER,
                 "a token issued by host A is accepted by host B",
                 f"login on A → {status}, GET /me on B → {on_b[0]}")


def check_revocation(d: Deployment, report: Report):
    nginx = Http(d.ports["nginx"], "127.0.0.5")
    hosts = {"A": Http(d.ports["a"]), "B": Http(d.ports["b"])}
    status, body, _ = login(nginx, LOAD_USER, d.password)
    token = body["access_token"]
    before = {name: host("GET", "/me", token=token)[0] for name, host in hosts.items()}
    out = nginx("POST", "/auth/logout", {"refresh_token": body["refresh_token"]}, token=token)[0]
    after = {name: host("GET", "/me", token=token)[0] for name, host in hosts.items()}
    refresh = {name: host("POST", "/auth/refresh", token=body["refresh_token"])[0] for name, host in hosts.items()}
    report.check(before == {"A": 200, "B": 200} and out == 204 and after == {"A": 401, "B": 401}
                 and set(refresh.values()) == {401},
                 "a logout through nginx is seen by both hosts at once (access and refresh token refused on A and B)",
                 f"before {before}, logout → {out}, right after: GET /me {after}, refresh {refresh}")


def check_lockout(d: Deployment, report: Report):
    client = "127.0.0.2"
    nginx = Http(d.ports["nginx"], client)
    failures = [login(nginx, LOCKOUT_USER, "Wrong@2026x")[0] for _ in range(MAX_FAILURES)]
    right = login(nginx, LOCKOUT_USER, d.password)[0]
    hosts = served_by(d, client)
    report.check(right == 423 and hosts == {"A", "B"},
                 f"{MAX_FAILURES} failed logins spread over both hosts lock the account",
                 f"failures answered {failures} by hosts {sorted(hosts)}; then the right password → {right}")


def check_rate_limit(d: Deployment, report: Report):
    client = "127.0.0.3"
    nginx = Http(d.ports["nginx"], client)
    answers = [login(nginx, f"nobody{n}", "Wrong@2026x")[0] for n in range(LOGIN_LIMIT + 2)]
    first_429 = answers.index(429) + 1 if 429 in answers else None
    hosts = served_by(d, client)
    report.check(first_429 == LOGIN_LIMIT + 1 and hosts == {"A", "B"},
                 f"the login rate limit ({LOGIN_LIMIT} a minute per address) counts across both hosts",
                 f"answers {answers} by hosts {sorted(hosts)}: first 429 at request {first_429}")


class Load:
    """Writers through nginx: POST /problems, most with an Idempotency-Key, some without (to show nginx does not
    replay them), and a list read now and then (which nginx may retry on the other host)."""

    def __init__(self, d: Deployment, token: str, enterprise_id: int, threads: int):
        self.d, self.token, self.enterprise_id, self.threads = d, token, enterprise_id, threads
        self.http = Http(d.ports["nginx"], "127.0.0.4")
        self.results: list[dict] = []
        self.lock, self.stop = threading.Event(), threading.Event()
        self.lock = threading.Lock()

    def body(self, mark: str) -> dict:
        return {"enterprise_id": self.enterprise_id, "category": "production", "scope": "county",
                "title": f"两机压测 {mark}", "description": "两台应用服务器轮流受理，其中一台中途被杀"}

    def post(self, key: str | None, mark: str) -> dict:
        headers = {"Idempotency-Key": key} if key else {}
        try:
            status, body, _ = self.http("POST", "/problems", self.body(mark), token=self.token, headers=headers)
        except OSError as error:
            status, body = None, {"error": str(error)}
        return {"method": "POST", "key": key, "mark": mark, "status": status,
                "id": body.get("id") if isinstance(body, dict) and status == 201 else None}

    def worker(self, n: int):
        count = 0
        while not self.stop.is_set():
            count += 1
            if count % 4 == 0:
                try:
                    status = self.http("GET", "/problems?limit=20", token=self.token)[0]
                except OSError:
                    status = None
                result = {"method": "GET", "status": status}
            else:
                mark = uuid.uuid4().hex[:16]
                result = self.post(None if count % 4 == 3 else mark, mark)
            with self.lock:
                self.results.append(result)

    def run(self, seconds: float, kill_at: float, victim: str):
        threads = [threading.Thread(target=self.worker, args=(n,)) for n in range(self.threads)]
        for thread in threads:
            thread.start()
        time.sleep(kill_at)
        self.d.kill(victim)
        self.killed_after = len(self.results)
        time.sleep(seconds - kill_at)
        self.stop.set()
        for thread in threads:
            thread.join()

    def retry_unanswered(self) -> int:
        """What a client does with a write whose answer it never got: send it again with the same key. While
        the dead host's claim is fresh the answer is 409; then either the key is free again (the write never
        committed: it runs now) or the first answer is replayed. A write that committed on the dead host
        before its answer was stored answers 409 request_in_progress, then (past IDEMPOTENCY_STALE_SECONDS) 409
        request_applied: the write stands, it is not run again (see check_kill)."""
        retried = 0
        for result in self.results:
            if result["method"] == "POST" and result["key"] and result["status"] != 201:
                retried += 1
                for _ in range(16):
                    again = self.post(result["key"], result["mark"])
                    result["status"] = again["status"]
                    if again["status"] == 201:
                        result.update(id=again["id"], retried=True)
                        break
                    time.sleep(0.5)
        return retried


def check_kill(d: Deployment, report: Report, seconds: float) -> Load:
    status, body, _ = login(Http(d.ports["nginx"], "127.0.0.4"), LOAD_USER, d.password)
    enterprise_id = d.sql("SELECT id FROM enterprises WHERE name LIKE %s ORDER BY id LIMIT 1", ("%清河源%",))[0][0]
    load = Load(d, body["access_token"], enterprise_id, threads=8)
    started = time.monotonic()
    load.run(seconds, seconds / 2, "host-a")
    elapsed = time.monotonic() - started
    results = load.results
    acknowledged = [r for r in results if r["method"] == "POST" and r["status"] == 201]
    lost_answers = Counter(r["status"] for r in results if r["method"] == "POST" and r["status"] != 201)
    print(f"      load: {len(results)} requests in {elapsed:.1f} s through nginx, host A killed (SIGKILL) after "
          f"{load.killed_after}; POST answers other than 201: {dict(lost_answers) or 'none'}", flush=True)
    ids = [r["id"] for r in acknowledged]
    stored = dict(d.sql("SELECT id, title FROM problems WHERE id = ANY(%s)", (ids,)))
    missing = [r for r in acknowledged if stored.get(r["id"]) != f"两机压测 {r['mark']}"]
    report.check(bool(acknowledged) and not missing and not d.alive("host-a"),
                 "killing host A mid-load loses no acknowledged write (every 201 is in the database)",
                 f"{len(acknowledged)} POSTs answered 201, {len(missing)} of them missing")

    retried = load.retry_unanswered()
    keyed = [r for r in results if r["method"] == "POST" and r["key"]]
    titles = Counter(title for (title,) in d.sql("SELECT title FROM problems WHERE title LIKE %s", ("两机压测 %",)))
    duplicates = {t: n for t, n in titles.items() if n > 1}
    states = dict(d.sql("SELECT key, state FROM idempotency_records WHERE key = ANY(%s)", ([r["key"] for r in keyed],)))
    # Written on host A, which died before storing the answer: the write is there once, and the key answers
    # 409 request_applied (the client is told to refresh instead of waiting) — it never learns the new id.
    lost_for_good = [r for r in keyed if r["status"] == 409 and states.get(r["key"]) == "committed"
                     and titles[f"两机压测 {r['mark']}"] == 1]
    wrong = [r for r in keyed if titles[f"两机压测 {r['mark']}"] != 1 or (r["status"] != 201 and r not in lost_for_good)]
    report.check(not duplicates and not wrong,
                 "each Idempotency-Key is one problem: the writes whose answer was lost, sent again, are done once",
                 f"{len(keyed)} keyed POSTs, {retried} resent after the kill: {len(keyed) - len(lost_for_good)} "
                 f"answered 201; {len(lost_for_good)} committed on A before it died, stored once, their resend "
                 f"answered 409 request_applied (stored once, the answer lost); {len(wrong)} wrong; "
                 f"{len(duplicates)} titles stored more than once")

    rows = [r for r in d.access_log() if r["client"] == "127.0.0.4"]
    a = f"127.0.0.1:{d.ports['a']}"
    cut_posts = [r for r in rows if r["method"] == "POST" and r["upstreams"][:1] == [a] and r["status"] == 502
                 and len(r["upstreams"]) == 1]
    passed_on = [r for r in rows if len(r["upstreams"]) > 1]
    errors = (d.logs / "error.log").read_text()
    sent_then_failed = len(re.findall(r'\[error\].*while reading response header from upstream.*request: "POST ', errors))
    refused = len(re.findall(r'\[error\].*while connecting to upstream.*request: "POST ', errors))
    replayed_posts = [r for r in passed_on if r["method"] == "POST" and not r["upstream_status"].startswith("502")]
    posts_passed_on = [r for r in passed_on if r["method"] == "POST"]
    gets_passed_on = [r for r in passed_on if r["method"] == "GET"]
    keyless = [r for r in results if r["method"] == "POST" and not r["key"]]
    keyless_twice = [r for r in keyless if titles[f"两机压测 {r['mark']}"] > 1]
    report.check(sent_then_failed >= 1 and len(cut_posts) == sent_then_failed and len(posts_passed_on) == refused
                 and not replayed_posts and not keyless_twice,
                 "nginx never replays a POST that reached the dying host: it answers 502 (the client resends with "
                 "its key); only POSTs refused at connect go to host B",
                 f"POSTs cut mid-request: {sent_then_failed} (answered 502: {len(cut_posts)}); refused at connect and "
                 f"passed to B: {refused} (in the log: {len(posts_passed_on)}); GETs retried on B: "
                 f"{len(gets_passed_on)}; key-less POSTs stored twice: {len(keyless_twice)} of {len(keyless)}")
    return load


def check_outbox(d: Deployment, report: Report, since: datetime, extra: int):
    """Messages sent once across both workers: `extra` webhook rows written straight into the outbox, plus
    those the load's problems caused."""
    now = datetime.now(timezone.utc)
    with psycopg.connect(d._libpq(d.dbname), autocommit=True) as connection, connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO outbox (message_id, kind, channel, recipient, text, params, urgent, state, "
            "attempts, next_attempt_at, created_at) VALUES (%s, 'problem.arrived', 'webhook', %s, %s, '{}', false, "
            "'pending', 0, %s, %s)",
            [(uuid.uuid4().hex, f"user{n}", f"第 {n} 条两机消息", now, now) for n in range(extra)])
    # Webhook rows only: SMS to users who keep quiet hours may wait for the morning.
    open_states = ("SELECT count(*) FROM outbox WHERE created_at >= %s AND channel = 'webhook' "
                   "AND state IN ('pending', 'sending')")
    with contextlib.suppress(RuntimeError):
        wait_until(lambda: d.sql(open_states, (since,))[0][0] == 0, 90, "the outbox to drain", interval=0.5)
    time.sleep(0.5)
    rows = d.sql("SELECT message_id, state, claimed_by FROM outbox WHERE created_at >= %s AND channel = "
                 "'webhook'", (since,))
    sent = {m for m, state, _ in rows if state == "sent"}
    by_worker = Counter(worker.rsplit(":", 1)[0] if worker else None for _, state, worker in rows if state == "sent")
    received = d.receiver.received
    twice = [m for m, n in received.items() if n > 1]
    report.check(bool(rows) and sent == {m for m, _, _ in rows} and set(received) >= sent and not twice
                 and len(by_worker) == 2 and d.receiver.bad_signatures == 0,
                 "outbox messages are sent once across both delivery workers (no X-LQT-Message-Id twice)",
                 f"{len(rows)} webhook messages ({extra} written straight in, the rest from the load's problems): "
                 f"{len(sent)} sent, {len(set(received))} distinct ids received, {len(twice)} received twice, "
                 f"{d.receiver.bad_signatures} bad signatures; sent per worker {dict(by_worker)}")


def run(server_url: str, seconds: float, storage: str | None, keep: bool, prepared: bool = False) -> int:
    for tool in ("nginx", "redis-server"):
        if not shutil.which(tool):
            print(f"{tool} 未安装：请以 root 运行 bench/two_hosts.sh（会用 apt-get 安装）", file=sys.stderr)
            return 3
    workdir = Path(tempfile.mkdtemp(prefix="lqt-two-hosts."))
    if os.geteuid() == 0:
        os.chmod(workdir, 0o755)  # nginx's workers (nobody) reach their temp folders inside
    deployment = Deployment(server_url, workdir, storage, prepared)
    report = Report()

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        deployment.create_database()
        deployment.write_config()
        started = time.monotonic()
        deployment.prepare_database()
        print(f"database {deployment.dbname} {'prepared' if prepared else 'migrated and seeded'} in "
              f"{time.monotonic() - started:.1f} s", flush=True)
        since = datetime.now(timezone.utc)
        deployment.start_all()
        print(f"two hosts up in {time.monotonic() - started:.1f} s: nginx :{deployment.ports['nginx']} → "
              f"A :{deployment.ports['a']}, B :{deployment.ports['b']}; 2 delivery workers; Redis "
              f":{deployment.ports['redis']}; PostgreSQL database {deployment.dbname}; logs in {deployment.logs}",
              flush=True)
        check_tokens(deployment, report)
        check_revocation(deployment, report)
        check_lockout(deployment, report)
        check_rate_limit(deployment, report)
        check_kill(deployment, report, seconds)
        check_outbox(deployment, report, since, extra=200)
    finally:
        deployment.stop_all()
        for n in (1, 2):
            log = deployment.outputs.get(f"deliver-{n}")
            summary = re.findall(r"投递结束.*", log.read_text()) if log and log.exists() else []
            if summary:
                print(f"      deliver-{n}: {summary[-1]}")
        deployment.drop_database()
        if keep:
            print(f"logs kept in {deployment.logs}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    passed = sum(ok for ok, _ in report.results)
    print(f"{passed} passed, {len(report.results) - passed} failed")
    return 0 if report.ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6 s of load instead of 20 s")
    parser.add_argument("--seconds", type=float, help="seconds of write load (host A is killed half-way)")
    parser.add_argument("--storage", help="RATELIMIT_STORAGE_URI instead of the Redis (memory:// shows the FAIL)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the temp folder with every log")
    parser.add_argument("--database-url", help="a migrated PostgreSQL database with the demo loaded, used as it is "
                                               "(its passwords are changed); default: a new database, dropped at the end")
    args = parser.parse_args()
    if args.database_url:
        return run(args.database_url, args.seconds or (6 if args.quick else 20), args.storage, args.keep_logs, True)
    server_url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not server_url.startswith("postgresql"):
        print("需要 PostgreSQL：由 bench/two_hosts.sh 启动（scripts/with-postgres.sh）或设置 TEST_DATABASE_URL",
              file=sys.stderr)
        return 3
    return run(server_url, args.seconds or (6 if args.quick else 20), args.storage, args.keep_logs)


if __name__ == "__main__":
    sys.exit(main())
