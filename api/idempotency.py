"""Idempotency-Key on every POST: one mechanism, as request hooks, for all endpoints."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
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


@dataclass
class _Claim:
    """The request's claim on its key: which transaction of the request's session holds it, and whether that
    transaction has committed (with the claim, the key's record then stands for the write)."""
    user_key: str
    key: str
    fingerprint: str
    owner_id: int | None
    transaction: object
    committing: bool = False
    committed: bool = False


def _stale_after() -> timedelta:
    return timedelta(seconds=current_app.config["IDEMPOTENCY_STALE_SECONDS"])


def before() -> Response | None:
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None or (request.endpoint or "").startswith(EXCLUDED_PREFIXES):
        return None
    if not key or len(key) > 255:
        return problem(422, "validation_error", "Idempotency-Key 长度须为 1–255 个字符",
                       errors={HEADER: ["长度须为 1–255 个字符"]})
    if (g.get("_jwt_extended_jwt_user") or {}).get("loaded_user") is not None:
        from api.auth import current_actor  # api.auth installs this hook: imported when it runs
        current_actor()  # the caller as a plain value now, so a rollback below leaves nothing to reload
    user_key, owner_id = _user_key()
    fingerprint = _fingerprint()
    session = db.session()
    try:  # in the request's own transaction (the one authentication began): it commits with the write
        claimed = idempotency.claim(session, user_key=user_key, key=key, fingerprint=fingerprint,
                                    owner_id=owner_id, stale_after=_stale_after())
    except ServiceError as error:
        db.session.rollback()
        return problem(error.status, error.code, error.detail)
    if isinstance(claimed, idempotency.Replay):
        db.session.rollback()
        response = Response(claimed.body, status=claimed.status, headers=claimed.headers)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    g.idempotency_claim = _Claim(user_key, key, fingerprint, owner_id, session.get_transaction())
    return None


def after(response: Response) -> Response:
    claim = g.pop("idempotency_claim", None)
    if claim is None:
        return response
    try:
        # The view has committed its work; what is still open are reads (a SQLite writer lock for a POST) or a
        # claim that committed nothing (it goes now).
        db.session.rollback()
        if response.status_code >= 500 or response.status_code in NOT_STORED or response.is_streamed:
            return response  # a committed claim stays "committed" (a retry is told so); any other went already
        headers = {k: response.headers[k] for k in KEPT_HEADERS if k in response.headers}
        body = response.get_data(as_text=True)
        if claim.committed:
            idempotency.complete(user_key=claim.user_key, key=claim.key, status=response.status_code, body=body,
                                 headers=headers)
        else:
            idempotency.store(user_key=claim.user_key, key=claim.key, fingerprint=claim.fingerprint,
                              owner_id=claim.owner_id, status=response.status_code, body=body, headers=headers)
    except DBAPIError:
        # The database went away after the view: a committed claim stays "committed" (a retry is told
        # request_applied once IDEMPOTENCY_STALE_SECONDS passed). The answer itself stands.
        log.warning("idempotency answer for %s not stored: database unavailable", claim.key)
    return response


def teardown(exc) -> None:
    g.pop("idempotency_claim", None)  # an uncommitted claim goes with the session's rollback


def _request_claim(session) -> _Claim | None:
    if not has_request_context() or session is not db.session():
        return None
    claim = g.get("idempotency_claim")
    return None if claim is None or claim.committed else claim


def _claim_on_commit(session) -> None:
    """before_commit of the request's session: the claim must be in the transaction that commits the write
    (exactly once, even if the worker dies between the commit and storing the response). A claim that went
    with an earlier rollback is made again here; if another request took the key meanwhile, this commit fails."""
    claim = _request_claim(session)
    if claim is None:
        return
    if session.get_transaction() is not claim.transaction:
        again = idempotency.claim(session, user_key=claim.user_key, key=claim.key, fingerprint=claim.fingerprint,
                                  owner_id=claim.owner_id, stale_after=_stale_after())
        if not isinstance(again, int):
            raise idempotency.RequestInProgress()
        claim.transaction = session.get_transaction()
    claim.committing = True


def _after_commit(session) -> None:
    claim = _request_claim(session)
    if claim is not None and claim.committing:
        claim.committed = True


def _after_rollback(session) -> None:
    claim = _request_claim(session)
    if claim is not None:
        claim.committing = False


def register(app: Flask) -> None:
    """Call after authentication's hook and before the ETag hook: after_request handlers run in
    reverse order, so the body stored is the one with its ETag and not yet gzip-compressed."""
    for name, listener in (("before_commit", _claim_on_commit), ("after_commit", _after_commit),
                           ("after_rollback", _after_rollback)):
        if not event.contains(SessionBase, name, listener):
            event.listen(SessionBase, name, listener)
    app.before_request(before)
    app.after_request(after)
    app.teardown_request(teardown)
