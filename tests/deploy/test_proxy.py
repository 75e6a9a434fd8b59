"""Behind a reverse proxy: the client address comes from X-Forwarded-For only through TRUSTED_PROXIES hops.

A tiny forwarding server stands for nginx (`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`):
it appends the address of the client it sees. Clients connect from distinct loopback addresses."""

import contextlib
import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from services.models import AuditLog
from tests.conftest import serving


class _Forward(BaseHTTPRequestHandler):
    upstream: tuple[str, int]

    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "x-forwarded-for")}
        forwarded = self.headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = f"{forwarded}, {self.client_address[0]}" if forwarded else self.client_address[0]
        upstream = http.client.HTTPConnection(*self.upstream, timeout=30)
        upstream.request(self.command, self.path, body=body, headers=headers)
        answer = upstream.getresponse()
        payload = answer.read()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("connection", "transfer-encoding", "content-length", "server", "date"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        upstream.close()

    do_GET = do_POST = _forward

    def log_message(self, *args):
        pass


@pytest.fixture
def behind_proxy(make_app):
    """start(**config) -> (host, port) of a forwarding proxy in front of an app built with that config."""
    with contextlib.ExitStack() as stack:
        def start(**config):
            upstream = urlsplit(stack.enter_context(serving(make_app(**config))))
            handler = type("Forward", (_Forward,), {"upstream": (upstream.hostname, upstream.port)})
            proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            threading.Thread(target=proxy.serve_forever, daemon=True).start()
            stack.callback(proxy.shutdown)
            return "127.0.0.1", proxy.server_address[1]

        yield start


def _login(address, source, username="nobody", headers=None):
    connection = http.client.HTTPConnection(*address, timeout=30, source_address=(source, 0))
    connection.request("POST", "/api/v1/auth/login", body=json.dumps({"username": username, "password": "x"}),
                       headers={"Content-Type": "application/json", **(headers or {})})
    status = connection.getresponse().status
    connection.close()
    return status


def test_the_login_limit_counts_each_real_client_behind_a_trusted_proxy(behind_proxy):
    proxy = behind_proxy(TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT="3 per minute")
    assert [_login(proxy, "127.0.0.2", f"a{n}") for n in range(4)] == [401, 401, 401, 429]
    assert _login(proxy, "127.0.0.3", "b0") == 401  # another client behind the same proxy is not limited


def test_without_a_trusted_proxy_every_client_behind_it_is_one_address(behind_proxy):
    proxy = behind_proxy(TRUSTED_PROXIES=0, LOGIN_RATE_LIMIT="3 per minute")
    assert [_login(proxy, "127.0.0.2", f"a{n}") for n in range(3)] == [401] * 3
    assert _login(proxy, "127.0.0.3", "b0") == 429


def test_a_spoofed_forwarded_header_through_the_proxy_changes_nothing(behind_proxy):
    proxy = behind_proxy(TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT="3 per minute")
    spoofs = [{"X-Forwarded-For": f"203.0.113.{n}"} for n in range(4)]
    assert [_login(proxy, "127.0.0.2", f"a{n}", spoofs[n]) for n in range(4)] == [401, 401, 401, 429]


def test_a_spoofed_header_with_no_trusted_proxy_changes_nothing(make_app):
    with serving(make_app(TRUSTED_PROXIES=0, LOGIN_RATE_LIMIT="3 per minute")) as base:
        address = (urlsplit(base).hostname, urlsplit(base).port)
        codes = [_login(address, "127.0.0.2", f"a{n}", {"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(4)]
    assert codes == [401, 401, 401, 429]


def test_the_lockout_and_the_audit_log_record_the_real_client(behind_proxy, db_session):
    proxy = behind_proxy(TRUSTED_PROXIES=1)
    for _ in range(5):
        _login(proxy, "127.0.0.7", "lxx_coord")
    rows = db_session.scalars(select(AuditLog).where(AuditLog.actor_username == "lxx_coord",
                                                     AuditLog.action.in_(["auth.login_failed", "auth.account_locked"])))
    assert {row.ip for row in rows} == {"127.0.0.7"}
