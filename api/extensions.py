"""Extensions, created unbound and initialised in create_app."""

from flask import request
from flask_compress import Compress
from flask_jwt_extended import JWTManager, get_jwt
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api as SmorestApi


class Api(SmorestApi):
    """flask-smorest with our problem+json errors (and werkzeug's headers kept)."""

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


def login_key() -> str:
    return f"login:{request.remote_addr}"


api = Api()
jwt = JWTManager()
limiter = Limiter(key_func=rate_limit_key, headers_enabled=True)
compress = Compress()
migrate = Migrate()
