"""HTTP layer: create_app wires configuration, extensions, blueprints, errors and CLI."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, send_from_directory

from api import inputs
from api.config import Config, load_secrets
from api.engine import engine_options
from api.hooks import register_request_hooks
from api.json_provider import OrjsonProvider
from api.logs import configure_logging

# Before any resource module is imported: @blp.arguments binds the parser when a view is decorated.
inputs.install()


class _App(Flask):
    json_provider_class = OrjsonProvider


def create_app(config: type | dict | None = None) -> Flask:
    app = _App(__name__, instance_path=str(Config.INSTANCE_DIR), instance_relative_config=False)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    load_secrets(app.config)
    configure_logging(app)
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
    from services.demo.needs import ACCOUNTS as NEED_ACCOUNTS
    from services.models import User

    with app.app_context():
        if not inspect(db.engine).has_table("users"):
            return  # an empty database: `flask db upgrade` must still run
        demo_names = [account[0] for account in ACCOUNTS + NEED_ACCOUNTS]
        hashes = db.session.scalars(select(User.password_hash).where(User.is_active.is_(True),
                                                                     User.username.in_(demo_names)))
        weak = any(passwords.verify_password(h, DEMO_PASSWORD) for h in hashes)
        db.session.remove()
    if weak:
        raise RuntimeError("APP_ENV=production: accounts with the demo password exist; change or disable them")


def _configure_services(app: Flask) -> None:
    from services import dashboard, figures, location, passwords, timeutil  # noqa: F401  (figures: its session hooks)
    from services.needs import core as need_core
    from services.problems import limits

    timeutil.set_zone(app.config["TIMEZONE"])
    limits.configure(days=app.config["DEADLINE_DAYS"], urgent_days=app.config["URGENT_DEADLINE_DAYS"],
                     acceptance_days=app.config["ACCEPTANCE_DAYS"],
                     close_without_feedback_days=app.config["CLOSE_WITHOUT_FEEDBACK_DAYS"])
    location.configure(max_distance_m=app.config["LOCATION_MAX_DISTANCE_M"],
                       max_accuracy_m=app.config["LOCATION_MAX_ACCURACY_M"])
    passwords.configure(time_cost=app.config["ARGON2_TIME_COST"], memory_cost=app.config["ARGON2_MEMORY_COST"])
    from services.tasks import limits as task_limits

    task_limits.configure(sign_days=app.config["TASK_SIGN_DAYS"])
    _configure_delivery(app)
    need_core.configure(expiry_days=app.config["NEED_EXPIRY_DAYS"])
    dashboard.configure(entries=app.config["DASHBOARD_KEPT_ANSWERS"], verify=app.config["DASHBOARD_VERIFY_KEPT"])
    _configure_exports(app)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)


def _configure_exports(app: Flask) -> None:
    from services import export_jobs

    c = app.config
    export_dir = Path(c.get("EXPORT_DIR") or Path(c["INSTANCE_DIR"]) / "exports")
    export_jobs.configure(directory=export_dir, keep_hours=c["EXPORT_KEEP_HOURS"],
                          direct_max_rows=c["EXPORT_DIRECT_MAX_ROWS"], lease_seconds=c["EXPORT_LEASE_SECONDS"],
                          progress_every=c["EXPORT_PROGRESS_ROWS"], max_attempts=c["EXPORT_MAX_ATTEMPTS"])


def _configure_delivery(app: Flask) -> None:
    from services import delivery
    from services.delivery import reminders
    from services.tasks import reminders as _task_reminders  # noqa: F401 - registers the tasks' deadlines

    quiet_start, _, quiet_end = str(app.config["QUIET_HOURS"]).partition("-")
    c = app.config
    delivery.configure(
        secret=c["JWT_SECRET_KEY"], public_base_url=c["PUBLIC_BASE_URL"], sms_gateway_url=c["SMS_GATEWAY_URL"],
        sms_gateway_key=c["SMS_GATEWAY_KEY"], sms_sign_name=c["SMS_SIGN_NAME"], webhook_url=c["WEBHOOK_URL"],
        webhook_secret=c["WEBHOOK_SECRET"], wecom_webhook_url=c["WECOM_WEBHOOK_URL"],
        wecom_corp_id=c["WECOM_CORP_ID"], wecom_corp_secret=c["WECOM_CORP_SECRET"],
        wecom_agent_id=c["WECOM_AGENT_ID"], wecom_api_base=c["WECOM_API_BASE"],
        dingtalk_webhook_url=c["DINGTALK_WEBHOOK_URL"], dingtalk_secret=c["DINGTALK_SECRET"],
        max_attempts=c["OUTBOX_MAX_ATTEMPTS"], backoff_seconds=c["OUTBOX_BACKOFF_SECONDS"],
        send_timeout=c["OUTBOX_SEND_TIMEOUT"], quiet_start=int(quiet_start or 22), quiet_end=int(quiet_end or 7),
        feedback_link_days=c["FEEDBACK_LINK_DAYS"])
    reminders.configure(lead_working_days=c["REMINDER_WORKING_DAYS"])


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
