"""The server as `make run` serves it, seen from outside: what gunicorn says on its own, what it logs, and
limits that count for the whole server."""

import json
import socket
import threading
import time
from urllib.parse import urlsplit

import requests

from tests.conftest import PASSWORD


def _raw(base: str, payload: bytes) -> bytes:
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        connection.sendall(payload)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _status_and_body(answer: bytes) -> tuple[int, dict, str]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body), head.decode("latin-1")


def test_no_server_banner(make_run_server):
    base, _ = make_run_server
    assert "Server" not in requests.get(f"{base}/healthz").headers


def test_a_request_line_too_long_is_a_414_problem_without_html(make_run_server):
    base, _ = make_run_server
    status, body, head = _status_and_body(_raw(base, b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"))
    assert status == 414 and body["code"] == "uri_too_long"
    assert "application/problem+json" in head and "<html" not in head.lower()


def test_a_malformed_request_is_a_400_problem_that_does_not_echo_it(make_run_server):
    base, _ = make_run_server
    status, body, _ = _status_and_body(_raw(base, b"G<script>ET / HTTP/1.1\r\nHost: x\r\n\r\n"))
    assert status == 400 and body["code"] == "bad_request" and "script" not in json.dumps(body)


def test_header_fields_too_large_are_a_problem(make_run_server):
    base, _ = make_run_server
    status, body, _ = _status_and_body(_raw(base, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n"))
    assert status in (400, 431) and body["status"] == status


def test_the_access_log_masks_phone_numbers_in_query_strings(make_run_server):
    base, log = make_run_server
    requests.get(f"{base}/api/v1/enterprises?q=13912345678")
    for _ in range(100):  # the access log line is written after the answer
        text = log.read_text()
        if "/api/v1/enterprises?q=" in text:
            break
        time.sleep(0.05)
    assert "139****5678" in text and "13912345678" not in text


def test_the_login_limit_counts_for_the_whole_server(gunicorn):
    base, _ = gunicorn(LOGIN_RATE_LIMIT="10 per minute")
    codes = []

    def attempt(n):  # several threads of the one worker process, different usernames (no lockout)
        response = requests.post(f"{base}/api/v1/auth/login", json={"username": f"nobody{n}", "password": "x"})
        codes.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [401] * 10 + [429] * 6


def test_a_real_login_works_through_the_make_run_line(make_run_server):
    base, _ = make_run_server
    response = requests.post(f"{base}/api/v1/auth/login", json={"username": "lxx_coord", "password": PASSWORD})
    assert response.status_code == 200
