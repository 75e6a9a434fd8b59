"""Extensions, created unbound and initialised in create_app."""

import threading
import time
from datetime import timedelta

from flask import current_app, request
from flask_compress import Compress
from flask_jwt_extended import JWTManager, get_jwt
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api as SmorestApi
from limits.storage import MemoryStorage

from api import limiter_storage  # noqa: F401 - registers sqlite-file:// for the limiter


PROBLEM_JSON = "application/problem+json"


def _problem_content(response: dict) -> None:
    content = response.get("content")
    if content and "application/json" in content:
        content[PROBLEM_JSON] = content.pop("application/json")


def document_problem_json(spec: dict) -> dict:
    """Error responses (4xx, 5xx, default) are application/problem+json in the document too."""
    for response in spec.get("components", {}).get("responses", {}).values():
        _problem_content(response)
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                if status == "default" or status[:1] in ("4", "5"):
                    _problem_content(response)
    return spec


class Api(SmorestApi):
    """flask-smorest with our problem+json errors (and werkzeug's headers kept)."""

    def __init__(self, *args, **kwargs):
        from api.schemas.common import ProblemDetailSchema

        self.ERROR_SCHEMA = ProblemDetailSchema
        super().__init__(*args, **kwargs)

    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        to_dict = self.spec.to_dict
        self.spec.to_dict = lambda: document_problem_json(to_dict())

    def handle_http_exception(self, error):
        from api.errors import handle_http_exception

        return handle_http_exception(error)


def rate_limit_key() -> str:
    try:
        claims = get_jwt()
    except RuntimeError:
        claims = None
    if claims and claims.get("sub"):
        return f"user:{claims['sub']}"
    return f"ip:{get_remote_address()}"


def address_key() -> str:
    """Per client address: logins and the token-less policy match."""
    return f"addr:{request.remote_addr}"


class ThreadSafeMemoryStorage(MemoryStorage):
    """`memory://` for gthread workers: the stock storage restarts its expiry timer without a lock, and two
    threads racing there answer 500 "threads can only be started once"; its expiry timer also drops the
    per-key locks, so racing increments could be lost. One lock for the whole storage. Registered for the
    memory scheme."""

    STORAGE_SCHEME = ["memory"]

    def __init__(self, *args, **kwargs):
        self._timer_lock = threading.RLock()
        super().__init__(*args, **kwargs)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        with self._timer_lock:
            return super().incr(key, expiry, amount)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_timer_lock", None)
        return state

    def __setstate__(self, state):
        self._timer_lock = threading.RLock()
        super().__setstate__(state)

    def _MemoryStorage__schedule_expiry(self) -> None:
        with self._timer_lock:
            super()._MemoryStorage__schedule_expiry()


class VerifyingOnceJWTManager(JWTManager):
    """flask-jwt-extended that verifies a token's bytes once per process instead of on every request.

    Verifying is three full decodes there (the claims and the header unverified, to choose the key, then the
    verified decode), each checking every character of the token: about a tenth of a list's CPU, and a phone
    sends the same token for its whole life. What is remembered is only what the bytes prove — the signature,
    issuer, audience and claims of that exact token, for the app that verified it. Nothing about the account or
    its session is: revocation, the idle timeout and a disabled account are still read by the one
    authentication statement of every request, so a revoked token is refused by its next request. Expiry is
    compared again on every use, and an expired token goes through the library again (which refuses it)."""

    MAX_TOKENS = 4096  # per process; a full cache starts afresh (every token in it verifies again once)

    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        app.extensions["verified_tokens"] = ({}, threading.Lock())

    def _decode_jwt_from_config(self, encoded_token: str, csrf_value=None, allow_expired: bool = False) -> dict:
        verified, lock = current_app.extensions["verified_tokens"]
        if allow_expired or csrf_value is not None:
            return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        claims = verified.get(encoded_token)
        if claims is not None and claims["exp"] > time.time() - _seconds(current_app.config["JWT_DECODE_LEEWAY"]):
            return dict(claims)
        claims = super()._decode_jwt_from_config(encoded_token)
        if isinstance(claims.get("exp"), (int, float)):  # every token this app issues has one
            with lock:
                if len(verified) >= self.MAX_TOKENS:
                    verified.clear()
                verified[encoded_token] = dict(claims)
        return claims

    @staticmethod
    def known_live(encoded_token: str) -> bool:
        """This process verified these bytes and has not found their session dead since (and they have not
        expired): a token the server issued, in use."""
        claims = current_app.extensions["verified_tokens"][0].get(encoded_token)
        return claims is not None and claims["exp"] > time.time()

    @staticmethod
    def forget(encoded_token: str) -> None:
        """A token found dead (revoked, logged out, of a disabled account): verified in full again if it comes back."""
        current_app.extensions["verified_tokens"][0].pop(encoded_token, None)


def _seconds(leeway) -> float:
    return leeway.total_seconds() if isinstance(leeway, timedelta) else leeway


def api_rate_limit() -> str:
    """API_RATE_LIMIT, read for each request from the app serving it: one budget per user (per address for a
    caller without a token) over every route together, not one per route."""
    return current_app.config["API_RATE_LIMIT"]


api = Api()
jwt = VerifyingOnceJWTManager()
limiter = Limiter(key_func=rate_limit_key, headers_enabled=True, application_limits=[api_rate_limit])
compress = Compress()
migrate = Migrate()
