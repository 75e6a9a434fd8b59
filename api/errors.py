"""The only place that turns exceptions into RFC 9457 application/problem+json."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from flask import Response, current_app
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from services.db import db
from services.errors import ServiceError
from services.timeutil import to_local

log = logging.getLogger("lianqitong.errors")

HTTP_CODES = {
    400: ("bad_request", "请求格式错误"),
    401: ("unauthorized", "未登录或登录已失效"),
    403: ("forbidden", "无权执行此操作"),
    404: ("not_found", "资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    406: ("not_acceptable", "无法提供所请求的格式"),
    409: ("conflict", "与现有数据冲突"),
    412: ("version_mismatch", "数据已被他人修改，请刷新后重试"),
    413: ("payload_too_large", "请求内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("validation_error", "输入数据有误"),
    428: ("precondition_required", "修改需要携带 If-Match 版本号"),
    429: ("rate_limited", "请求过于频繁，请稍后再试"),
    500: ("internal_error", "服务器内部错误，请稍后重试"),
    503: ("service_unavailable", "服务暂时不可用，请稍后重试"),
}


# One Chinese title per problem type (RFC 9457: the title does not change between occurrences of a
# type); a code without an entry of its own takes its status's.
TITLES = {
    "bad_request": "请求格式错误", "invalid_json": "请求体不是合法的 JSON", "unauthorized": "未登录或登录已失效",
    "invalid_credentials": "用户名或密码错误", "mfa_required": "需要动态验证码", "account_locked": "账号已锁定",
    "password_expired": "密码已过期", "forbidden": "无权执行此操作", "not_found": "资源不存在",
    "method_not_allowed": "不支持该请求方法", "not_acceptable": "无法提供所请求的格式", "conflict": "与现有数据冲突",
    "invalid_transition": "当前状态不允许此操作", "request_in_progress": "相同请求正在处理中",
    "request_applied": "相同请求已经生效",
    "version_mismatch": "版本已过期", "payload_too_large": "请求内容过大", "unsupported_media_type": "不支持的内容类型",
    "validation_error": "输入数据有误", "idempotency_key_reused": "Idempotency-Key 已用于另一个请求",
    "precondition_required": "缺少 If-Match 版本号", "rate_limited": "请求过于频繁",
    "internal_error": "服务器内部错误", "service_unavailable": "服务暂时不可用",
    "mfa_enrolment_required": "须先绑定动态验证码", "invalid_query": "查询参数包含非法字符",
    "link_used": "链接已使用", "link_expired": "链接已过期",
    "export_expired": "导出文件已过期", "export_not_ready": "导出尚未完成", "export_too_large": "导出行数过多，请创建导出任务",
}
STATUS_TITLES = {400: "请求格式错误", 401: "未登录或登录已失效", 403: "无权执行此操作", 404: "资源不存在",
                 405: "不支持该请求方法", 406: "无法提供所请求的格式", 409: "与现有数据冲突", 410: "资源已不存在",
                 412: "版本已过期", 413: "请求内容过大", 415: "不支持的内容类型", 422: "输入数据有误",
                 423: "账号已锁定", 428: "缺少 If-Match 版本号", 429: "请求过于频繁", 500: "服务器内部错误",
                 503: "服务暂时不可用"}
# Retry-After tells a client when to come back; only a rate limit or an outage has such a moment.
RETRY_AFTER_STATUSES = (429, 503)


def title_for(status: int, code: str) -> str:
    return TITLES.get(code) or STATUS_TITLES.get(status) or ("请求无法处理" if status < 500 else "服务器内部错误")


def _local_times(value):
    return to_local(value).isoformat() if isinstance(value, datetime) else value


def problem(status: int, code: str | None = None, detail: str | None = None, *,
            errors: dict | None = None, extra: dict | None = None, headers: dict | None = None) -> Response:
    default_code, default_detail = HTTP_CODES.get(status, ("error", "请求无法处理"))
    body = {
        "type": f"https://lianqitong.gov.cn/problems/{code or default_code}",
        "title": title_for(status, code or default_code),
        "status": status,
        "detail": detail or default_detail,
        "code": code or default_code,
    }
    if errors:
        body["errors"] = errors
    if extra:
        body.update({key: _local_times(value) for key, value in extra.items()})
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def retry_after_only_when_meant(response: Response) -> Response:
    """after_request, run last: Flask-Limiter writes Retry-After on every response it counts; only
    429 and 503 keep it."""
    if response.status_code not in RETRY_AFTER_STATUSES:
        response.headers.pop("Retry-After", None)
    return response


def _flatten_messages(messages) -> dict:
    """webargs nests errors by location ({"json": {...}}); clients want field -> [messages]."""
    if not isinstance(messages, dict):
        return {"_schema": _as_list(messages)}
    locations = {"json", "query", "form", "files", "headers", "view_args", "path", "json_or_form", "querystring"}
    flat: dict = {}
    for key, value in messages.items():
        if key in locations and isinstance(value, dict):
            flat.update(_flatten_fields(value))
        else:
            flat.update(_flatten_fields({key: value}))
    return flat


def _flatten_fields(fields: dict, prefix: str = "") -> dict:
    out: dict = {}
    for key, value in fields.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten_fields(value, prefix=f"{name}."))
        else:
            out[name] = _as_list(value)
    return out


def _as_list(value) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def handle_service_error(error: ServiceError) -> Response:
    db.session.rollback()
    return problem(error.status, error.code, error.detail, errors=error.errors, extra=error.extra,
                   headers=error.headers)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    headers = dict(error.get_headers()) if hasattr(error, "get_headers") else {}
    headers.pop("Content-Type", None)
    data = getattr(error, "data", None) or {}
    headers.update(data.get("headers") or {})
    messages = data.get("messages") or {}
    if isinstance(messages, dict) and any("Invalid JSON body." in str(v) for v in messages.values()):
        return problem(400, "invalid_json", "请求体不是合法的 JSON", headers=headers)
    if status == 422 or data.get("messages"):
        errors = _flatten_messages(data.get("messages") or data.get("errors") or {})
        return problem(422, "validation_error", "输入数据有误，请检查标注的字段", errors=errors, headers=headers)
    if status == 400 and "json" in (error.description or "").lower():
        return problem(400, "invalid_json", "请求体不是合法的 JSON", headers=headers)
    if status == 429:
        retry = headers.get("Retry-After") or "60"
        headers["Retry-After"] = str(retry)
        return problem(429, "rate_limited", "请求过于频繁，请稍后再试", headers=headers)
    if status == 413:
        return problem(413, "payload_too_large", "请求内容过大（JSON 不超过 1 MB，上传不超过 10 MB）", headers=headers)
    if status >= 500:
        log.error("HTTP %s: %s", status, error)
    return problem(status, headers=headers)


def handle_validation_error(error: ValidationError) -> Response:
    db.session.rollback()
    return problem(422, "validation_error", "输入数据有误，请检查标注的字段",
                   errors=_flatten_messages(error.messages))


def handle_stale(error: StaleDataError) -> Response:
    db.session.rollback()
    return problem(409, "conflict", "数据已被他人同时修改，请刷新后重试")


def handle_db_error(error: DBAPIError) -> Response:
    db.session.rollback()
    if isinstance(error, OperationalError) or error.connection_invalidated:
        log.error("database unavailable: %s", error.orig)
        return problem(503, "service_unavailable", "数据库暂时不可用，请稍后重试", headers={"Retry-After": "5"})
    log.exception("database error")
    return problem(500, "internal_error")


def handle_unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the session may be unusable; the answer must still go out
        log.exception("rollback failed")
    log.exception("unhandled error")
    if current_app.config.get("PROPAGATE_UNEXPECTED"):
        raise error
    return problem(500, "internal_error")


def register_error_handlers(app) -> None:
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ValidationError, handle_validation_error)
    app.register_error_handler(StaleDataError, handle_stale)
    app.register_error_handler(DBAPIError, handle_db_error)
    app.register_error_handler(Exception, handle_unexpected)
