"""JWT configuration, the global authentication guard and current_actor()."""

from __future__ import annotations

import atexit
import os
import re
import threading
import time
from datetime import datetime, timezone
from functools import lru_cache

from flask import current_app, g, request
from flask_jwt_extended import (
    create_access_token, create_refresh_token, current_user, decode_token, get_jwt, verify_jwt_in_request,
)
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError
from limits import parse as parse_limit

from api.errors import problem
from api.extensions import address_key, jwt, limiter
from services import accounts
from services.actors import Actor
from services.errors import Unauthorized

# Endpoints reachable without a token.
PUBLIC_ENDPOINTS = {
    "health.healthz", "health.readyz", "auth.login", "auth.begin_mfa_enrolment", "policies.Match",
    "api-docs.openapi_json", "api-docs.openapi_swagger_ui", "docs_assets", "static",
    "feedback_links.FeedbackLink",
}
# Public, but a token (when sent) identifies the caller, e.g. for per-user rate limits.
OPTIONAL_TOKEN_ENDPOINTS = {"policies.Match"}
# Reads that fill the anonymous 不来即享 form: GET needs no token (a token, when sent, is checked and
# identifies the caller); every other method of these endpoints still needs one.
PUBLIC_READ_ENDPOINTS = {"reference.Regions", "reference.enums", "policies.Policies", "needs.need_kinds"}
REFRESH_ENDPOINTS = {"auth.refresh"}
# What an account whose password has expired may still do.
PASSWORD_CHANGE_ENDPOINTS = {"auth.me", "auth.change_password", "auth.logout", "auth.refresh"}


def _unauthorized(detail: str = "未登录或登录已失效"):
    return problem(401, "unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


# Claims without which a token is refused, however well signed: expiry, identity, session and its own id.
REQUIRED_CLAIMS = ("sub", "exp", "jti", "sid")
_USER_ID = re.compile(r"^[0-9]{1,10}$")


def _user_id(payload: dict) -> int | None:
    sub = payload.get("sub")
    return int(sub) if isinstance(sub, str) and _USER_ID.match(sub) else None


def _well_formed(payload: dict) -> bool:
    return (all(payload.get(claim) not in (None, "") for claim in REQUIRED_CLAIMS) and _user_id(payload) is not None
            and isinstance(payload.get("iatp", 0), (int, float)) and isinstance(payload["jti"], str)
            and isinstance(payload["sid"], str))


def _token_check(payload: dict) -> accounts.TokenCheck:
    """The one statement that authenticates the request's token, run once per request (both loaders of
    flask-jwt-extended and the idle timeout read its answer from g)."""
    cached = g.get("_token_check")
    if cached is not None and cached[0] == payload.get("jti"):
        return cached[1]
    if not _well_formed(payload):
        check = accounts.TokenCheck(user=None, dead=True)
    else:
        check = accounts.check_token(user_id=_user_id(payload), jti=payload["jti"], session_id=payload["sid"],
                                     issued_at=float(payload.get("iatp", 0)),
                                     refresh=payload.get("type") == "refresh")
    g._token_check = (payload.get("jti"), check)
    return check


@jwt.user_lookup_loader
def _load_user(_header, payload):
    check = _token_check(payload)
    return None if check.dead else check.user


@jwt.user_lookup_error_loader
def _user_lookup_error(_header, _payload):
    return _unauthorized("账号不存在或已停用")


@jwt.token_in_blocklist_loader
def _is_revoked(_header, payload):
    return _token_check(payload).dead


@jwt.unauthorized_loader
def _missing(_reason):
    return _unauthorized("缺少访问令牌")


@jwt.invalid_token_loader
def _invalid(_reason):
    return _unauthorized("访问令牌无效")


@jwt.expired_token_loader
def _expired(_header, _payload):
    return _unauthorized("访问令牌已过期")


@jwt.revoked_token_loader
def _revoked(_header, _payload):
    return _unauthorized("访问令牌已注销")


@jwt.needs_fresh_token_loader
def _needs_fresh(_header, _payload):
    return _unauthorized("需要重新登录")


def authenticate_request():
    """before_request: every endpoint needs a valid token unless it is public."""
    g.pop("_token_check", None)  # an app context kept open across requests must not lend one its user
    g.pop("_rate_counts", None)  # nor its rate-limit counts (api/limiter_storage.py)
    endpoint = request.endpoint
    if request.method == "OPTIONS" or endpoint is None:
        return None  # CORS preflight; unknown routes answer 404/405 on their own
    if endpoint in PUBLIC_ENDPOINTS:
        if endpoint in OPTIONAL_TOKEN_ENDPOINTS:
            _optional_token()
        return None
    if endpoint in PUBLIC_READ_ENDPOINTS and request.method in ("GET", "HEAD") \
            and not request.headers.get("Authorization"):
        return None
    budget = _parsed_limit(current_app.config["ANONYMOUS_RATE_LIMIT"])
    key = f"refused:{request.remote_addr}"
    token = _bearer()
    # A token this process already verified and found live skips the refusal budget (one read of the limits
    # store fewer, and a flood of forged tokens from an office's shared address does not lock out the officers
    # signed in behind it); every other request is refused before any work once its address is over budget.
    if not (token and jwt.known_live(token)) and not limiter.limiter.test(budget, key):
        # Over its budget of refusals, an address gets no authentication work at all.
        reset = limiter.limiter.get_window_stats(budget, key).reset_time
        return problem(429, "rate_limited", "来自该地址的未认证请求过多，请稍后再试",
                       headers={"Retry-After": str(max(1, int(reset - time.time()) + 1))})
    try:
        verify_jwt_in_request(refresh=endpoint in REFRESH_ENDPOINTS)
    except (JWTExtendedException, PyJWTError) as error:
        current_app.logger.info("token refused: %s", error.__class__.__name__)
        return _refuse(budget, key)
    if current_user is None:
        return _refuse(budget, key, "账号不存在或已停用")
    try:
        accounts.touch_session(session_id=get_jwt().get("sid"), stored_seen_at=g._token_check[1].session_seen_at,
                               idle_minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
    except Unauthorized as error:
        return _refuse(budget, key, error.detail)
    if endpoint not in PASSWORD_CHANGE_ENDPOINTS and accounts.password_expired(
            current_user, current_app.config["PASSWORD_MAX_AGE_DAYS"]):
        return problem(403, "password_expired", "密码已超过有效期，请先修改密码（POST /api/v1/me/password）")
    return None


@lru_cache(maxsize=8)
def _parsed_limit(text: str):
    """A rate-limit string parsed once, not on every request."""
    return parse_limit(text)


def _refuse(budget, key: str, detail: str = "未登录或登录已失效"):
    limiter.limiter.hit(budget, key)
    token = _bearer()
    if token:
        jwt.forget(token)
    return _unauthorized(detail)


def _bearer() -> str | None:
    """The bearer token of the request, as sent (None without one)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token if scheme == "Bearer" and token else None


def _optional_token():
    try:
        verify_jwt_in_request(optional=True)
    except (JWTExtendedException, PyJWTError):
        pass


def current_actor() -> Actor:
    actor = getattr(g, "_actor", None)
    if actor is None:
        user = current_user
        if user is None:
            raise Unauthorized()
        claims = get_jwt()
        actor = Actor.for_user(user, ip=request.remote_addr, request_id=g.get("request_id"),
                               session_id=claims.get("sid"))
        g._actor = actor
    return actor


def optional_actor() -> Actor | None:
    """The caller on an endpoint that also answers without a token; None when anonymous."""
    return None if is_anonymous() else current_actor()


def is_anonymous() -> bool:
    """A request without a token (the per-address public rate limit applies to it)."""
    return not request.headers.get("Authorization")


def public_rate_limit() -> str:
    return current_app.config["PUBLIC_RATE_LIMIT"]


# Token-less reads are limited per client address (PUBLIC_RATE_LIMIT), failed ones included;
# with a token the per-user API_RATE_LIMIT applies as everywhere.
anonymous_read_limit = limiter.limit(public_rate_limit, key_func=address_key, methods=["GET", "HEAD"],
                                     exempt_when=lambda: not is_anonymous())


def anonymous_actor() -> Actor:
    return Actor(user_id=None, username=None, role="anonymous", ip=request.remote_addr,
                 request_id=g.get("request_id"))


def issue_tokens(user, session_id: str) -> dict:
    # iatp: the issue instant with sub-second precision, compared with the user's tokens_valid_from.
    claims = {"role": user.role, "sid": session_id, "iatp": time.time()}
    access = create_access_token(identity=str(user.id), additional_claims=claims)
    refresh = create_refresh_token(identity=str(user.id), additional_claims=claims)
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()),
    }


def token_expiry(payload: dict) -> datetime:
    return datetime.fromtimestamp(int(payload["exp"]), tz=timezone.utc)


def tokens_to_revoke(claims: dict, refresh_token: str | None) -> list[tuple[str, datetime]]:
    """(jti, expiry) of the access token in use and of the refresh token the client names, which must be
    this user's refresh token (else Unauthorized)."""
    tokens = [(claims["jti"], token_expiry(claims))]
    if refresh_token:
        try:
            payload = decode_token(refresh_token, allow_expired=True)
        except Exception:  # noqa: BLE001 - any undecodable token is simply not ours to revoke
            raise Unauthorized("刷新令牌无效") from None
        if payload.get("sub") != claims["sub"] or payload.get("type") != "refresh":
            raise Unauthorized("刷新令牌无效")
        tokens.append((payload["jti"], token_expiry(payload)))
    return tokens


_flushers: dict[int, int] = {}  # id(app) -> pid of the process whose flusher thread runs
_flushers_lock = threading.Lock()


def start_activity_flusher(app) -> None:
    """before_request: once per process (gunicorn forks), a daemon thread writes session activity every
    SESSION_FLUSH_SECONDS, and once more at exit, so that no request writes it (accounts.ActivityLog)."""
    if _flushers.get(id(app)) == os.getpid():
        return
    with _flushers_lock:
        if _flushers.get(id(app)) == os.getpid():
            return
        _flushers[id(app)] = os.getpid()
    interval = max(0.05, float(app.config["SESSION_FLUSH_SECONDS"]))

    def flush() -> None:
        with app.app_context():
            try:
                accounts.flush_activity()
            except Exception:  # noqa: BLE001 - kept in memory and tried again at the next tick
                app.logger.warning("session activity not written yet", exc_info=True)

    def loop() -> None:
        while True:
            time.sleep(interval)
            flush()

    threading.Thread(target=loop, name="session-activity", daemon=True).start()
    atexit.register(flush)
