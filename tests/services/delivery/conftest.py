"""A real local HTTP server that records what each channel sends, and apps configured to send to it."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Received:
    method: str
    path: str
    query: dict
    headers: object  # case-insensitive (email.message.Message)
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every request; `answer(received) -> (status, body dict)` decides the reply (default 200 {})."""

    base: str = ""
    requests: list[Received] = field(default_factory=list)
    answer: object = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            received = Received(self.command, parts.path, parse_qs(parts.query), self.headers, body)
            with receiver.lock:
                receiver.requests.append(received)
            status, reply = receiver.answer(received) if receiver.answer else (200, {})
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = do_GET = _serve

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.base = f"http://127.0.0.1:{server.server_port}"
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def configured(app, make_app):
    """configured(**config) -> an app whose delivery settings are these; the settings go back afterwards."""
    yield make_app
    from api import _configure_delivery

    _configure_delivery(app)


@pytest.fixture
def webhook_app(configured, receiver):
    return configured(WEBHOOK_URL=receiver.url("/hook"), WEBHOOK_SECRET="s3cret", OUTBOX_BACKOFF_SECONDS=120)
