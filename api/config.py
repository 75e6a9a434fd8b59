"""Configuration from the environment, with development defaults."""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from services.problems.limits import Limits

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LIMITS = Limits()


def _env(name: str, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def _int(name: str, default: int) -> int:
    return int(_env(name, default))


def _weights(name: str, default: dict[str, float]) -> dict[str, float]:
    """JSON object of metric -> weight, e.g. '{"closure_rate": 0.3, ...}'; unnamed metrics keep their default."""
    raw = _env(name)
    return {**default, **{k: float(v) for k, v in json.loads(raw).items()}} if raw else dict(default)


def _days(name: str, default: dict[str, int]) -> dict[str, int]:
    """JSON object of level -> working days, e.g. '{"county": 8}'; unnamed levels keep their default."""
    raw = _env(name)
    return {**default, **{k: int(v) for k, v in json.loads(raw).items()}} if raw else dict(default)


def _list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in _env(name, default).split(",") if item.strip()]


class Config:
    APP_ENV = _env("APP_ENV", "development")
    INSTANCE_DIR = Path(_env("INSTANCE_DIR", ROOT / "instance"))
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'lianqitong.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    JWT_SECRET_KEY = _env("JWT_SECRET_KEY")
    AUDIT_HMAC_KEY = _env("AUDIT_HMAC_KEY")
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=_int("ACCESS_TOKEN_MINUTES", 15))
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=_int("REFRESH_TOKEN_DAYS", 7))
    JWT_ISSUER = _env("JWT_ISSUER", "lianqitong")
    JWT_AUDIENCE = _env("JWT_AUDIENCE", "lianqitong-api")
    JWT_ENCODE_ISSUER = JWT_DECODE_ISSUER = JWT_ISSUER
    JWT_ENCODE_AUDIENCE = JWT_DECODE_AUDIENCE = JWT_AUDIENCE
    JWT_TOKEN_LOCATION = ["headers"]  # never cookies or query strings (they end up in logs)
    JWT_ALGORITHM = "HS256"
    JWT_DECODE_ALGORITHMS = ["HS256"]
    # 等保 level-3 controls
    PASSWORD_MAX_AGE_DAYS = _int("PASSWORD_MAX_AGE_DAYS", 90)
    IDLE_TIMEOUT_MINUTES = _int("IDLE_TIMEOUT_MINUTES", 30)
    AUDIT_CHECKPOINT_FILE = _env("AUDIT_CHECKPOINT_FILE")
    # How often `flask audit-checkpoint` runs; audit-verify fails when rows stay unsealed longer.
    AUDIT_CHECKPOINT_MINUTES = _int("AUDIT_CHECKPOINT_MINUTES", 60)
    # A claimed Idempotency-Key whose request never finished (its worker died) is freed after this long.
    IDEMPOTENCY_STALE_SECONDS = _int("IDEMPOTENCY_STALE_SECONDS", 60)
    TIMEZONE = _env("TIMEZONE", "Asia/Shanghai")
    CORS_ORIGINS = _list("CORS_ORIGINS")
    UPLOAD_DIR = Path(_env("UPLOAD_DIR", ROOT / "instance" / "uploads"))
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024 + 64 * 1024  # uploads; JSON bodies are capped at 1 MB separately
    MAX_JSON_BYTES = 1024 * 1024
    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "10 per minute")
    API_RATE_LIMIT = _env("API_RATE_LIMIT", "600 per minute")
    PUBLIC_RATE_LIMIT = _env("PUBLIC_RATE_LIMIT", "30 per minute")
    # Requests refused for want of a valid token, per address; past it the address gets 429 before any
    # token is checked.
    ANONYMOUS_RATE_LIMIT = _env("ANONYMOUS_RATE_LIMIT", "60 per minute")
    # Reverse proxies in front of the app whose X-Forwarded-For is believed (nginx: 1). 0: none, the
    # socket's peer is the client.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    MFA_ENROLMENT_HOURS = _int("MFA_ENROLMENT_HOURS", 24)
    # How often each process writes its sessions' last activity (the idle timeout's clock).
    SESSION_FLUSH_SECONDS = _int("SESSION_FLUSH_SECONDS", 30)
    # Counters shared by every worker process of the host (api/limiter_storage.py); redis://… for several hosts.
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", f"sqlite-file://{INSTANCE_DIR / 'ratelimit.db'}")
    MFA_REQUIRED_ROLES = frozenset(_list("MFA_REQUIRED_ROLES"))
    ARGON2_TIME_COST = _int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = _int("ARGON2_MEMORY_COST", 65536)
    PASSWORD_HISTORY = _int("PASSWORD_HISTORY", 5)
    LOG_LEVEL = _env("LOG_LEVEL", "INFO")
    # 导出任务 (POST /exports, run by the delivery worker): where the files go, how long they are kept, how many
    # rows a direct .xlsx/.csv route still streams (above: 422 pointing to POST /exports), the worker's lease
    # (renewed with every progress write), rows per progress write, tries before a job fails, jobs per user.
    EXPORT_DIR = _env("EXPORT_DIR")  # default: the instance directory's exports/
    EXPORT_KEEP_HOURS = float(_env("EXPORT_KEEP_HOURS", 24))
    EXPORT_DIRECT_MAX_ROWS = _int("EXPORT_DIRECT_MAX_ROWS", 20000)
    EXPORT_LEASE_SECONDS = float(_env("EXPORT_LEASE_SECONDS", 120))
    EXPORT_PROGRESS_ROWS = _int("EXPORT_PROGRESS_ROWS", 2000)
    EXPORT_MAX_ATTEMPTS = _int("EXPORT_MAX_ATTEMPTS", 3)
    EXPORT_RATE_LIMIT = _env("EXPORT_RATE_LIMIT", "20 per hour")
    # Working-day limits of the ledger (工作日), by level of the holding task force; defaults in Limits.
    DEADLINE_DAYS = _days("DEADLINE_DAYS", DEFAULT_LIMITS.days)
    URGENT_DEADLINE_DAYS = _days("URGENT_DEADLINE_DAYS", DEFAULT_LIMITS.urgent_days)
    ACCEPTANCE_DAYS = _int("ACCEPTANCE_DAYS", DEFAULT_LIMITS.acceptance_days)
    # 实地走访定位核验: farther than this from the enterprise is "far"; a worse accuracy is "poor_accuracy".
    LOCATION_MAX_DISTANCE_M = float(_env("LOCATION_MAX_DISTANCE_M", 2000))
    LOCATION_MAX_ACCURACY_M = float(_env("LOCATION_MAX_ACCURACY_M", 500))
    CLOSE_WITHOUT_FEEDBACK_DAYS = _int("CLOSE_WITHOUT_FEEDBACK_DAYS", DEFAULT_LIMITS.close_without_feedback_days)
    # 对接: an open need with no activity for this many days expires in the scan.
    NEED_EXPIRY_DAYS = _int("NEED_EXPIRY_DAYS", 90)
    # 日调度 answers a process keeps (a region and a day each; 0: none), and whether each one given again is also
    # computed and compared (the test suite)
    DASHBOARD_KEPT_ANSWERS = _int("DASHBOARD_KEPT_ANSWERS", 256)
    DASHBOARD_VERIFY_KEPT = _env("DASHBOARD_VERIFY_KEPT", "0") == "1"
    # 考核评价 weights (relative; the score divides by the sum of the weights it could use).
    ASSESSMENT_WEIGHTS = _weights("ASSESSMENT_WEIGHTS", {
        "closure_rate": 0.20, "on_time_rate": 0.20, "satisfaction_rate": 0.20, "reopen_rate": 0.10,
        "visit_coverage": 0.10, "entity_growth_rate": 0.05, "employment_growth_rate": 0.10,
        "net_above_scale": 0.05, "arrears_completion_rate": 0.10,
    })
    # 清欠: a case whose remaining undisputed amount is over this (万元) is supervised by the prefecture (挂牌督办).
    ARREARS_SUPERVISION_THRESHOLD_10K = Decimal(_env("ARREARS_SUPERVISION_THRESHOLD_10K", "2000"))
    # 派单: working days a department has to sign for a task; the department assessment's weights (relative).
    TASK_SIGN_DAYS = _int("TASK_SIGN_DAYS", 1)
    DEPARTMENT_ASSESSMENT_WEIGHTS = _weights("DEPARTMENT_ASSESSMENT_WEIGHTS", {
        "sign_on_time_rate": 0.20, "report_on_time_rate": 0.30, "refusal_rate": 0.10, "satisfaction_rate": 0.30,
        "reopen_rate": 0.10,
    })

    # Delivery (the outbox): deployment channels, retries, quiet hours, one-time links.
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    SMS_GATEWAY_URL = _env("SMS_GATEWAY_URL")
    SMS_GATEWAY_KEY = _env("SMS_GATEWAY_KEY")
    SMS_SIGN_NAME = _env("SMS_SIGN_NAME", "联企通")
    WEBHOOK_URL = _env("WEBHOOK_URL")
    WEBHOOK_SECRET = _env("WEBHOOK_SECRET")
    WECOM_WEBHOOK_URL = _env("WECOM_WEBHOOK_URL")
    WECOM_CORP_ID = _env("WECOM_CORP_ID")
    WECOM_CORP_SECRET = _env("WECOM_CORP_SECRET")
    WECOM_AGENT_ID = _env("WECOM_AGENT_ID")
    WECOM_API_BASE = _env("WECOM_API_BASE", "https://qyapi.weixin.qq.com")
    DINGTALK_WEBHOOK_URL = _env("DINGTALK_WEBHOOK_URL")
    DINGTALK_SECRET = _env("DINGTALK_SECRET")
    OUTBOX_MAX_ATTEMPTS = _int("OUTBOX_MAX_ATTEMPTS", 6)
    OUTBOX_BACKOFF_SECONDS = float(_env("OUTBOX_BACKOFF_SECONDS", 120))
    OUTBOX_SEND_TIMEOUT = float(_env("OUTBOX_SEND_TIMEOUT", 10))
    QUIET_HOURS = _env("QUIET_HOURS", "22-7")
    FEEDBACK_LINK_DAYS = _int("FEEDBACK_LINK_DAYS", 15)
    # Working days before a due date that the holder is reminded.
    REMINDER_WORKING_DAYS = _int("REMINDER_WORKING_DAYS", 2)

    API_TITLE = "联企通 API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/api/v1/docs/assets/"
    API_SPEC_OPTIONS = {
        "info": {"description": (
            "联企通：派驻联络员、问题台账（销号管理）与惠企服务的 REST 接口。\n\n"
            "- 错误均为 RFC 9457 application/problem+json：code 为机器可读代码，title 为该代码固定的中文标题，"
            "detail 为中文说明，errors 按字段列出。Retry-After 只随 429 与 503 返回。\n"
            "- 时间一律以 RFC 3339、+08:00 输出（含 warning.detail、event.data、locked_until）。\n"
            "- 单个对象带 ETag: \"<version>\"。If-Match / If-None-Match 接受客户端收到的任何形式："
            "\"5\"、W/\"5\"、\"5:gzip\"、W/\"5:gzip\"、\"5-gzip\"（gzip、br、deflate、zstd）及 5，"
            "均视为版本 5；If-None-Match 还接受列表和 *。\n"
            "- 列表：limit、cursor、count；sort=字段 升序，sort=-字段 降序（各列表的 sort 参数列出允许的字段），"
            "游标包含其排序，换用另一种 sort 时为 422。枚举过滤可多选：status=pending,in_progress，"
            "或重复参数。\n"
            "- 对象与列表项在每个 id 旁给出名称（enterprise_name、owning_region_name、department_name、"
            "liaison_name 等）。\n"
            "- 无需令牌：GET /regions、GET /meta/enums、GET /policies（仅现行有效政策）与 POST /policies/match，"
            "按来源地址限流（PUBLIC_RATE_LIMIT）。\n"
            "- 任何 POST 可带 Idempotency-Key：JSON 按键排序比较，multipart 按字段与文件内容（SHA-256）比较。\n"
            "- 清欠金额以万元为单位，收发均为字符串（如 \"1250.50\"，最多两位小数），从不使用浮点数。")},
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        "security": [{"bearerAuth": []}],
    }


class TestConfig(Config):
    APP_ENV = "test"
    TESTING = True
    LOGIN_RATE_LIMIT = "1000 per minute"
    API_RATE_LIMIT = "100000 per minute"
    PUBLIC_RATE_LIMIT = "100000 per minute"
    ANONYMOUS_RATE_LIMIT = "100000 per minute"
    EXPORT_RATE_LIMIT = "100000 per minute"
    DASHBOARD_VERIFY_KEPT = True
    RATELIMIT_STORAGE_URI = "memory://"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    JWT_SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"
    AUDIT_HMAC_KEY = "test-audit-hmac-key-0123456789abcdef"


def load_secrets(config: dict) -> None:
    """Secrets come from the environment; development generates them once into instance/."""
    production = config.get("APP_ENV") == "production"
    for name in ("JWT_SECRET_KEY", "AUDIT_HMAC_KEY"):
        if config.get(name):
            continue
        if production:
            raise RuntimeError(f"{name} must be set when APP_ENV=production")
        path = Path(config["INSTANCE_DIR"]) / f"{name.lower()}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: concurrently starting workers agree on one secret
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        config[name] = path.read_text().strip()
    if production and len(config["JWT_SECRET_KEY"].encode()) < 32:
        raise RuntimeError("JWT_SECRET_KEY must be at least 32 bytes in production")
