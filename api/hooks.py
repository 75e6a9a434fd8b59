"""Request hooks: request id and input guard before, security headers and ETags after, refusals audited."""

from __future__ import annotations

import re
import uuid

from flask import Flask, g, request

from api import inputs

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
JSON_TYPES = ("application/json", "application/problem+json", "application/merge-patch+json")


def register_request_hooks(app: Flask) -> None:
    from api import idempotency
    from api.concurrency import apply_etag
    from api.errors import problem
    from services.db import read_only_intent

    @app.before_request
    def _start():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.read_only_token = read_only_intent.set(request.method in ("GET", "HEAD", "OPTIONS"))
        if inputs.unsafe_text(request.path) or any(inputs.unsafe_text(k) or inputs.unsafe_text(v)
                                                   for k, v in request.args.items(multi=True)):
            return problem(400, "invalid_query", "请求地址或查询参数包含非法字符（NUL 或非 UTF-8 字节）")
        if request.method in ("POST", "PUT", "PATCH"):
            length = request.content_length or 0
            mimetype = request.mimetype or ""
            if mimetype == "multipart/form-data":
                return None
            if request.content_length is None and request.headers.get("Transfer-Encoding"):
                # A chunked body announces no length: read one byte past the cap (werkzeug stops there).
                request.max_content_length = app.config["MAX_JSON_BYTES"] + 1
                if len(request.get_data(cache=True)) > app.config["MAX_JSON_BYTES"]:
                    return problem(413, "payload_too_large", "请求体不能超过 1 MB")
            if length > app.config["MAX_JSON_BYTES"]:
                return problem(413, "payload_too_large", "请求体不能超过 1 MB")
            if length and mimetype not in JSON_TYPES:
                return problem(415, "unsupported_media_type", "请求体须为 application/json")
        return None

    # _start must run before authentication: move it to the front.
    app.before_request_funcs[None].insert(0, app.before_request_funcs[None].pop())
    idempotency.register(app)

    @app.after_request
    def _finish(response):
        response = apply_etag(response)
        response.headers["X-Request-ID"] = g.get("request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if request.path.startswith("/api/v1/docs"):
            # Swagger UI's one inline script is allowed by its hash, nothing else inline.
            hashes = " ".join(f"'sha256-{h}'" for h in _inline_script_hashes(response))
            response.headers.setdefault(
                "Content-Security-Policy",
                f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data:; frame-ancestors 'none'")
        else:
            response.headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        if request.path.startswith("/api/v1/") and not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Cache-Control", "no-store")
        if app.config["APP_ENV"] == "production":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    @app.after_request
    def _audit_refusals(response):
        """401 and 403 answers are security events (等保), recorded in a short transaction of their own:
        403s one chained row each; 401s counted per address and minute (services/audit.tally_refusal)."""
        if response.status_code in (401, 403) and request.path.startswith("/api/") and request.endpoint != "auth.login":
            from sqlalchemy.exc import DBAPIError

            from api.auth import anonymous_actor
            from services import audit
            from services.db import db

            token = read_only_intent.set(False)
            try:
                db.session.rollback()
                audit.record_refusal(g.get("_actor") or anonymous_actor(), response.status_code, request.method,
                                     request.path)
            except DBAPIError:
                app.logger.error("could not audit a %s answer: database unavailable", response.status_code)
            finally:
                read_only_intent.reset(token)
        return response

    @app.teardown_request
    def _reset(_exc):
        token = g.pop("read_only_token", None)
        if token is not None:
            read_only_intent.reset(token)


def _inline_script_hashes(response) -> list[str]:
    import base64
    import hashlib

    if response.mimetype != "text/html" or response.direct_passthrough:
        return []
    html = response.get_data(as_text=True)
    return [base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            for script in re.findall(r"<script>(.*?)</script>", html, re.S)]
