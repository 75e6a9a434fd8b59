"""What gunicorn itself sends and logs (loaded by gunicorn.conf.py): no Server banner, problem+json instead of
its HTML error pages for requests it refuses before the app (400, 414, 431 …), phone numbers masked in the
access log as the app log masks them."""

from __future__ import annotations

import json

from gunicorn import glogging, util
from gunicorn.http import wsgi

from services.masking import mask_phones

# Status -> (code, detail) for what gunicorn answers on its own; never echoes the offending request.
GUNICORN_ERRORS = {
    400: ("bad_request", "请求格式错误"),
    414: ("uri_too_long", "请求地址过长"),
    431: ("headers_too_large", "请求头过大"),
    501: ("not_implemented", "不支持的传输编码"),
}


def problem_bytes(status: int, reason: str) -> bytes:
    code, detail = GUNICORN_ERRORS.get(status, ("internal_error", "服务器内部错误，请稍后重试"))
    body = json.dumps({"type": f"https://lianqitong.gov.cn/problems/{code}", "title": detail, "status": status,
                       "detail": detail, "code": code}, ensure_ascii=False).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
            f"Content-Length: {len(body)}\r\nX-Content-Type-Options: nosniff\r\n\r\n")
    return head.encode("latin-1") + body


def _write_error(sock, status_int, reason, _mesg):
    util.write_nonblock(sock, problem_bytes(int(status_int), reason))


_default_headers = wsgi.Response.default_headers


def _headers_without_banner(self):
    return [line for line in _default_headers(self) if not line.startswith("Server:")]


class MaskingLogger(glogging.Logger):
    """gunicorn's logger with every access-log atom (request line, query string, referrer …) masked."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask_phones(value) if isinstance(value, str) else value for key, value in atoms.items()}


def install() -> None:
    util.write_error = _write_error
    wsgi.Response.default_headers = _headers_without_banner
