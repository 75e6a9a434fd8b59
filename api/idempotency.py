"""Idempotency-Key on every POST: one mechanism, as request hooks, for all endpoints."""

from __future__ import annotations

import hashlib
import json
import logging
from urllib.parse import parse_qsl
from datetime import timedelta

from flask import Flask, Response, current_app, g, has_request_context, request
from flask_jwt_extended import get_jwt

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session as SessionBase

from api.errors import problem
from services import idempotency
from services.db import db
from services.errors import ServiceError

log = logging.getLogger("lianqitong.idempotency")
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


def _canonical_body() -> bytes:
    """What the request says, not how it was spelt: a retry is the same request even when its bytes
    differ. JSON: keys sorted, whitespace dropped. multipart/form-data (a new boundary on every try):
    each form field's values, and each file's name and SHA-256 of its bytes, in field order. Anything
    else: the raw body."""
    mimetype = request.mimetype or ""
    if mimetype == "multipart/form-data":
        parts = {"form": sorted((key, request.form.getlist(key)) for key in request.form), "files": []}
        for key in sorted(request.files):
            for upload in request.files.getlist(key):
                content = hashlib.sha256()
                for chunk in iter(lambda upload=upload: upload.stream.read(1 << 16), b""):
                    content.update(chunk)
                upload.stream.seek(0)  # the view reads the file again
                parts["files"].append([key, upload.filename or "", content.hexdigest()])
        return json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode()
    raw = request.get_data(cache=True)
    if mimetype in ("application/json", "application/merge-patch+json") and raw:
        try:
            parsed = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return raw
        return json.dumps(parsed, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return raw


def _fingerprint() -> str:
    digest = hashlib.sha256()
    query = "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(request.query_string.decode(errors="replace"),
                                                             keep_blank_values=True)))
    for part in (request.method, request.path, query):
        digest.update(part.encode() + b"\0")
    digest.update(_canonical_body())
    return digest.hexdigest()


def before() -> Response | None:
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None or (request.endpoint or "").startswith(EXCLUDED_PREFIXES):
        return None
    if not key or len(key) > 255:
        return problem(422, "validation_error", "Idempotency-Key 长度须为 1–255 个字符",
                       errors={HEADER: ["长度须为 1–255 个字符"]})
    if (g.get("_jwt_extended_jwt_user") or {}).get("loaded_user") is not None:
        from api.auth import current_actor  # api.auth installs this hook: imported when it runs
        current_actor()  # the caller as a plain value now, so the rollback below leaves nothing to reload
    db.session.rollback()  # end the authentication read: the claim below writes on its own connection
    user_key, owner_id = _user_key()
    try:
        claimed = idempotency.claim(user_key=user_key, key=key, fingerprint=_fingerprint(), owner_id=owner_id,
                                    stale_after=timedelta(seconds=current_app.config["IDEMPOTENCY_STALE_SECONDS"]))
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
    try:
        # The view has committed its work; what is still open are reads (a SQLite writer lock for a POST).
        db.session.rollback()
        if response.status_code >= 500 or response.status_code in NOT_STORED or response.is_streamed:
            idempotency.release(record)  # only a claim that never committed a write is released
            return response
        headers = {k: response.headers[k] for k in KEPT_HEADERS if k in response.headers}
        idempotency.complete(record, status=response.status_code, body=response.get_data(as_text=True),
                             headers=headers)
    except DBAPIError:
        # The database went away after the view: the claim stays "in progress" and is freed as stale
        # (IDEMPOTENCY_STALE_SECONDS), so the client's retry is served then. The answer itself stands.
        log.warning("idempotency record %s left in progress: database unavailable", record)
    return response


def teardown(exc) -> None:
    record = g.pop("idempotency_record", None)
    if record is not None:
        try:
            db.session.rollback()
            idempotency.release(record)
        except DBAPIError:
            log.warning("idempotency record %s left in progress: database unavailable", record)


def _mark_on_commit(session) -> None:
    """before_commit of the request's session: tie the claim to the write (exactly once, even if the
    worker dies between the commit and storing the response)."""
    if not has_request_context() or session is not db.session():
        return
    record = g.get("idempotency_record")
    if record is not None and not g.get("idempotency_marked"):
        g.idempotency_marked = True
        idempotency.mark_committed(session, record)


def register(app: Flask) -> None:
    if not event.contains(SessionBase, "before_commit", _mark_on_commit):
        event.listen(SessionBase, "before_commit", _mark_on_commit)
    """Call after authentication's hook and before the ETag hook: after_request handlers run in
    reverse order, so the body stored is the one with its ETag and not yet gzip-compressed."""
    app.before_request(before)
    app.after_request(after)
    app.teardown_request(teardown)
