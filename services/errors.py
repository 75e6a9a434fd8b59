"""Domain exceptions; the HTTP layer turns them into problem+json."""

from __future__ import annotations


class ServiceError(Exception):
    code = "error"
    status = 400
    title = "Error"  # informative only: the HTTP layer gives each code its Chinese title (api/errors.TITLES)
    default_detail = "请求无法处理"

    def __init__(self, detail: str | None = None, *, errors: dict | None = None, extra: dict | None = None,
                 headers: dict | None = None):
        super().__init__(detail or self.default_detail)
        self.detail = detail or self.default_detail
        self.errors = errors
        self.extra = extra or {}
        self.headers = headers or {}


class ValidationFailed(ServiceError):
    code, status, title, default_detail = "validation_error", 422, "Unprocessable Content", "输入数据有误"

    def __init__(self, detail: str | None = None, *, errors: dict | None = None, field: str | None = None, **kw):
        if field and not errors:
            errors = {field: [detail or self.default_detail]}
        super().__init__(detail, errors=errors, **kw)


class Unauthorized(ServiceError):
    code, status, title, default_detail = "unauthorized", 401, "Unauthorized", "未登录或登录已失效"


class InvalidCredentials(ServiceError):
    code, status, title, default_detail = "invalid_credentials", 401, "Unauthorized", "用户名或密码错误"


class MfaRequired(ServiceError):
    code, status, title, default_detail = "mfa_required", 401, "Unauthorized", "需要动态验证码"


class AccountLocked(ServiceError):
    code, status, title, default_detail = "account_locked", 423, "Locked", "账号已被锁定，请稍后再试"


class Forbidden(ServiceError):
    code, status, title, default_detail = "forbidden", 403, "Forbidden", "无权执行此操作"


class NotFound(ServiceError):
    code, status, title, default_detail = "not_found", 404, "Not Found", "对象不存在"


class Conflict(ServiceError):
    code, status, title, default_detail = "conflict", 409, "Conflict", "与现有数据冲突"


class InvalidTransition(ServiceError):
    code, status, title, default_detail = "invalid_transition", 409, "Conflict", "当前状态不允许此操作"


class VersionMismatch(ServiceError):
    code, status, title, default_detail = "version_mismatch", 412, "Precondition Failed", "数据已被他人修改，请刷新后重试"


class PreconditionRequired(ServiceError):
    code, status, title, default_detail = "precondition_required", 428, "Precondition Required", "修改需要携带 If-Match 版本号"


class PayloadTooLarge(ServiceError):
    code, status, title, default_detail = "payload_too_large", 413, "Content Too Large", "上传内容过大"


class UnsupportedMediaType(ServiceError):
    code, status, title, default_detail = "unsupported_media_type", 415, "Unsupported Media Type", "不支持的文件类型"


class MalformedInput(ServiceError):
    code, status, title, default_detail = "invalid_json", 400, "Bad Request", "请求体不是合法的 JSON"


class MfaEnrolmentRequired(ServiceError):
    code, status, title = "mfa_enrolment_required", 401, "Unauthorized"
    default_detail = "该账号须启用动态验证码：请向管理员申领一次性绑定码，在登录页完成绑定后再登录"


class LinkUsed(ServiceError):
    code, status, title, default_detail = "link_used", 410, "Gone", "该链接已使用，不能再次评价"


class LinkExpired(ServiceError):
    code, status, title, default_detail = "link_expired", 410, "Gone", "该链接已过期"


class ExportExpired(ServiceError):
    code, status, title, default_detail = "export_expired", 410, "Gone", "导出文件已过期删除，请重新导出"


class ExportNotReady(ServiceError):
    code, status, title, default_detail = "export_not_ready", 409, "Conflict", "导出尚未完成"


class ExportTooLarge(ServiceError):
    code, status, title, default_detail = "export_too_large", 422, "Unprocessable Content", "导出行数超过直接导出的上限，请创建导出任务"
