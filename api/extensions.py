"""Extensions, created unbound and initialised in create_app."""

import threading

from flask import request
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


api = Api()
jwt = JWTManager()
limiter = Limiter(key_func=rate_limit_key, headers_enabled=True)
compress = Compress()
migrate = Migrate()
