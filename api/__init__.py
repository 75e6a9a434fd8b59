"""HTTP layer: create_app wires configuration, extensions, blueprints, errors and CLI."""

from __future__ import annotations

import logging
import re
import uuid
from pathlib import Path

from flask import Flask, g, request, send_from_directory

from api import inputs
from api.config import Config, load_secrets
from services.masking import mask_phones

# Before any resource module is imported: @blp.arguments binds the parser when a view is decorated.
inputs.install()

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
JSON_TYPES = ("application/json", "application/problem+json", "application/merge-patch+json")


def create_app(config: type | dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(Config.INSTANCE_DIR), instance_relative_config=False)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    load_secrets(app.config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    _configure_logging(app)
    _configure_services(app)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    from api.errors import register_error_handlers

    register_error_handlers(app)
    from api.cli import register_cli

    register_cli(app)
    if app.config["APP_ENV"] == "production":
        _refuse_demo_accounts(app)
    if app.config["TRUSTED_PROXIES"] > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client address (limits, lockout, audit `ip`) comes from X-Forwarded-For only through the
        # configured number of proxies; with none, a forwarded header changes nothing.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    return app


def _refuse_demo_accounts(app: Flask) -> None:
    """Production must not run with the published demo password on any account."""
    from sqlalchemy import inspect, select

    from services import passwords
    from services.db import db
    from services.demo.base import ACCOUNTS, DEMO_PASSWORD
    from services.models import User

    with app.app_context():
        if not inspect(db.engine).has_table("users"):
            return  # an empty database: `flask db upgrade` must still run
        demo_names = [account[0] for account in ACCOUNTS]
        hashes = db.session.scalars(select(User.password_hash).where(User.is_active.is_(True),
                                                                     User.username.in_(demo_names)))
        weak = any(passwords.verify_password(h, DEMO_PASSWORD) for h in hashes)
        db.session.remove()
    if weak:
        raise RuntimeError("APP_ENV=production: accounts with the demo password exist; change or disable them")


def _configure_logging(app: Flask) -> None:
    class RequestIdFilter(logging.Filter):
        def filter(self, record):
            try:
                record.request_id = g.get("request_id", "-")
            except RuntimeError:
                record.request_id = "-"
            return True

    class MaskPhones(logging.Filter):
        """Personal data stays out of logs: mobile numbers are masked in every record."""

        def filter(self, record):
            message = record.getMessage()
            masked = mask_phones(message)
            if masked != message:
                record.msg, record.args = masked, ()
            return True

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    handler.addFilter(RequestIdFilter())
    handler.addFilter(MaskPhones())
    root = logging.getLogger("lianqitong")
    if not root.handlers:
        root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    app.logger.handlers = [handler]
    app.logger.setLevel(app.config["LOG_LEVEL"])


def _configure_services(app: Flask) -> None:
    from services import location, passwords, timeutil
    from services.problems import limits

    timeutil.set_zone(app.config["TIMEZONE"])
    limits.configure(days=app.config["DEADLINE_DAYS"], urgent_days=app.config["URGENT_DEADLINE_DAYS"],
                     acceptance_days=app.config["ACCEPTANCE_DAYS"],
                     close_without_feedback_days=app.config["CLOSE_WITHOUT_FEEDBACK_DAYS"])
    location.configure(max_distance_m=app.config["LOCATION_MAX_DISTANCE_M"],
                       max_accuracy_m=app.config["LOCATION_MAX_ACCURACY_M"])
    passwords.configure(time_cost=app.config["ARGON2_TIME_COST"], memory_cost=app.config["ARGON2_MEMORY_COST"])
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        if uri.startswith("sqlite:///") and ":memory:" not in uri:
            Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        options.setdefault("connect_args", {"timeout": 30})
    else:
        options.setdefault("pool_pre_ping", True)
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 10)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)


def register_extensions(app: Flask) -> None:
    from api.extensions import api, compress, jwt, limiter, migrate
    from services import models  # noqa: F401 - complete metadata
    from services.db import configure_engine, db

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    jwt.init_app(app)
    app.config.setdefault("COMPRESS_MIMETYPES", ["application/json", "application/problem+json", "text/csv",
                                                  "text/html", "text/css", "application/javascript"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    app.config.setdefault("COMPRESS_ALGORITHM", ["gzip"])
    compress.init_app(app)
    from api.auth import authenticate_request, start_activity_flusher

    app.before_request(lambda: start_activity_flusher(app))
    # Authentication runs before the limiter so per-user limits see the caller.
    app.before_request(authenticate_request)
    app.config["RATELIMIT_DEFAULT"] = app.config["API_RATE_LIMIT"]
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    from api.errors import retry_after_only_when_meant

    # Registered before the limiter, so it runs after the limiter's header hook (reverse order).
    app.after_request(retry_after_only_when_meant)
    limiter.init_app(app)
    api.init_app(app)
    if app.config.get("CORS_ORIGINS"):
        from flask_cors import CORS

        CORS(app, resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}},
             expose_headers=["ETag", "X-Request-ID", "Idempotent-Replayed", "Retry-After"])


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
            from api.auth import anonymous_actor
            from services import audit
            from services.db import db

            from sqlalchemy.exc import DBAPIError

            token = read_only_intent.set(False)
            try:
                db.session.rollback()
                actor = g.get("_actor") or anonymous_actor()
                if response.status_code == 401:
                    audit.tally_refusal(actor, 401, f"{request.method} {request.path}")
                else:
                    audit.record(actor, f"http.{response.status_code}", None, None,
                                 {"method": request.method, "path": request.path})
                db.session.commit()
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


def register_blueprints(app: Flask) -> None:
    from api.extensions import api
    from api.resources import blueprints

    for blp in blueprints():
        api.register_blueprint(blp)

    from api import web

    web.register(app)

    import swagger_ui_bundle

    assets = Path(swagger_ui_bundle.swagger_ui_path)

    @app.route("/api/v1/docs/assets/<path:filename>", endpoint="docs_assets")
    def docs_assets(filename):
        return send_from_directory(assets, filename, max_age=86400)
