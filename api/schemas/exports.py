"""导出任务: the request, the job with its progress, the list of the caller's jobs."""

import marshmallow as ma

from api.pagination import ListArgsSchema, sort_field
from api.schemas.base import BaseSchema, LocalDateTime, enum
from services import sorts
from services.models.exports import EXPORT_FORMATS, EXPORT_LEDGERS, EXPORT_STATES


class ExportCreateSchema(BaseSchema):
    ledger = enum(EXPORT_LEDGERS, required=True, metadata={
        "description": "台账：problems 问题台账、visits 走访台账、tasks 承办任务、arrears 清欠台账（仅 xlsx）；"
                       "报表：assessments 考核评价、department_assessments 部门考核、arrears_monthly 清欠月度通报、"
                       "need_figures 对接月报、institution_ranking 金融机构排名（除考核评价外仅 xlsx）"})
    format = enum(EXPORT_FORMATS, load_default="xlsx", metadata={"description": "文件格式，默认 xlsx"})
    filters = ma.fields.Dict(keys=ma.fields.String(), load_default=dict, metadata={
        "description": "筛选条件，与该台账列表接口（报表：其导出接口）的查询参数完全相同（如 {\"status\": \"pending,in_progress\", "
                       "\"region\": 3}），不含 limit、cursor、count、sort；范围按执行时导出人的角色和辖区"})


class ExportProgressSchema(BaseSchema):
    done = ma.fields.Integer(metadata={"description": "已写入的行数"})
    total = ma.fields.Integer(allow_none=True, metadata={"description": "共需写入的行数（各工作表合计）；开始执行前为 null"})


class ExportJobSchema(BaseSchema):
    id = ma.fields.Integer()
    ledger = ma.fields.String(metadata={"enum": list(EXPORT_LEDGERS)})
    format = ma.fields.String(metadata={"enum": list(EXPORT_FORMATS)})
    filters = ma.fields.Dict()
    state = ma.fields.String(metadata={"enum": list(EXPORT_STATES), "description":
                                       "queued 排队中、running 导出中、done 已完成、failed 导出失败、expired 文件已过期删除"})
    progress = ma.fields.Method("_progress", metadata={"description": "{done, total}"})
    attempts = ma.fields.Integer(metadata={"description": "已开始执行的次数（执行进程中断后由其他进程重做）"})
    error = ma.fields.String(allow_none=True, metadata={"description": "失败原因"})
    file_name = ma.fields.String(allow_none=True)
    size = ma.fields.Integer(allow_none=True, metadata={"description": "文件字节数"})
    download_url = ma.fields.Method("_download", allow_none=True, metadata={
        "description": "完成后的下载地址（GET，需令牌），其他状态为 null"})
    created_at = LocalDateTime()
    started_at = LocalDateTime(allow_none=True)
    finished_at = LocalDateTime(allow_none=True)
    expires_at = LocalDateTime(allow_none=True, metadata={"description": "文件保留到此时间（EXPORT_KEEP_HOURS）"})

    def _progress(self, job):
        return ExportProgressSchema().dump({"done": job.done, "total": job.total})

    def _download(self, job):
        return f"/api/v1/exports/{job.id}/file" if job.state == "done" else None


class ExportQuerySchema(ListArgsSchema):
    sort = sort_field(sorts.EXPORTS)
