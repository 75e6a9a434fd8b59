"""Idempotency-Key on every POST: one mechanism, as request hooks, for all endpoints."""

from __future__ import annotations

import hashlib

from flask import Flask, Response, g, request
from flask_jwt_extended import get_jwt

from api.errors import problem
from services import idempotency
from services.db import db
from services.errors import ServiceError

HEADER = "Idempotency-Key"
# Never stored: token responses must not be replayable, and auth failures are not results.
EXCLUDED_PREFIXES = ("auth.",)
NOT_STORED = {401, 429}
KEPT_HEADERS = ("Content-Type", "ETag", "Location")


def _user_key() -> tuple[str, int | None]:
    try:
        claims = get_jwt()
    except RuntimeError:
        claims = {}
    if claims.get("sub"):
        return f"user:{claims['sub']}", int(claims["sub"])
    return f"ip:{request.remote_addr}", None


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string.decode(errors="replace")):
        digest.update(part.encode() + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def before() -> Response | None:
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None or (request.endpoint or "").startswith(EXCLUDED_PREFIXES):
        return None
    if not key or len(key) > 255:
        return problem(422, "validation_error", "Idempotency-Key 长度须为 1–255 个字符",
                       errors={HEADER: ["长度须为 1–255 个字符"]})
    db.session.rollback()  # end the authentication read: the claim below writes on its own connection
    user_key, owner_id = _user_key()
    try:
        claimed = idempotency.claim(user_key=user_key, key=key, fingerprint=_fingerprint(), owner_id=owner_id)
    except ServiceError as error:
        return problem(error.status, error.code, error.detail)
    if isinstance(claimed, idempotency.Replay):
        response = Response(claimed.body, status=claimed.status, headers=claimed.headers)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    g.idempotency_record = claimed
    return None


def after(response: Response) -> Response:
    record = g.pop("idempotency_record", None)
    if record is None:
        return response
    # The view has committed its work; what is still open are reads (a SQLite writer lock for a POST).
    db.session.rollback()
    if response.status_code >= 500 or response.status_code in NOT_STORED or response.is_streamed:
        idempotency.release(record)
        return response
    headers = {k: response.headers[k] for k in KEPT_HEADERS if k in response.headers}
    idempotency.complete(record, status=response.status_code, body=response.get_data(as_text=True), headers=headers)
    return response


def teardown(exc) -> None:
    record = g.pop("idempotency_record", None)
    if record is not None:
        db.session.rollback()
        idempotency.release(record)


def register(app: Flask) -> None:
    """Call after authentication's hook and before the ETag hook: after_request handlers run in
    reverse order, so the body stored is the one with its ETag and not yet gzip-compressed."""
    app.before_request(before)
    app.after_request(after)
    app.teardown_request(teardown)
