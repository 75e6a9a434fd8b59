"""导出任务: a ledger's export as a job the delivery worker runs, its progress, and its file."""

import marshmallow as ma
from flask import current_app, send_file, url_for
from flask_smorest import Blueprint

from api.auth import current_actor
from api.extensions import limiter
from api.pagination import page_schema
from api.schemas.arrears import ArrearsExportQuerySchema, ArrearsMonthlyQuerySchema
from api.schemas.assessments import AssessmentQuerySchema
from api.schemas.common import ProblemDetailSchema
from api.schemas.exports import ExportCreateSchema, ExportJobSchema, ExportQuerySchema
from api.schemas.needs import FiguresQuerySchema
from api.schemas.problems import ProblemExportQuerySchema
from api.schemas.tasks import DepartmentAssessmentQuerySchema, TaskExportQuerySchema
from api.schemas.visits import VisitExportQuerySchema
from services import export_jobs, exports
from services.errors import ValidationFailed

blp = Blueprint("exports", __name__, url_prefix="/api/v1/exports", description="导出任务")
MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}
JOB_ID = "<int(max=2147483647):job_id>"


def _messages(found) -> list[str]:
    """marshmallow's messages (nested by field and list index) as plain strings."""
    if isinstance(found, dict):
        return [m for value in found.values() for m in _messages(value)]
    if isinstance(found, (list, tuple)):
        return [m for value in found for m in _messages(value)]
    return [str(found)]


def _parser(schema):
    """The list route's own query schema turns stored filters into the list's arguments."""
    def parse(filters: dict) -> dict:
        try:
            return schema().load(filters)
        except ma.ValidationError as error:
            messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
            raise ValidationFailed("筛选条件有误", errors={key: _messages(value) for key, value in messages.items()}) \
                from error
    return parse


def _weighted(parse, setting: str):
    """A report's filters, with the configured weights of its score (as its direct route passes them)."""
    return lambda filters: {**parse(filters), "weights": current_app.config[setting]}


for _ledger, _schema in (("problems", ProblemExportQuerySchema), ("visits", VisitExportQuerySchema),
                         ("tasks", TaskExportQuerySchema), ("arrears", ArrearsExportQuerySchema),
                         ("arrears_monthly", ArrearsMonthlyQuerySchema), ("need_figures", FiguresQuerySchema),
                         ("institution_ranking", FiguresQuerySchema)):
    export_jobs.register_parser(_ledger, _parser(_schema))
export_jobs.register_parser("assessments", _weighted(_parser(AssessmentQuerySchema), "ASSESSMENT_WEIGHTS"))
export_jobs.register_parser("department_assessments",
                            _weighted(_parser(DepartmentAssessmentQuerySchema), "DEPARTMENT_ASSESSMENT_WEIGHTS"))


def export_rate_limit() -> str:
    """How many export jobs one user may start (EXPORT_RATE_LIMIT)."""
    return current_app.config["EXPORT_RATE_LIMIT"]


def _created(job):
    return job, 202, {"Location": url_for("exports.get_export", job_id=job.id)}


@blp.route("", methods=["POST"])
@limiter.limit(export_rate_limit, methods=["POST"])
@blp.arguments(ExportCreateSchema)
@blp.response(202, ExportJobSchema, headers={"Location": {"description": "任务地址", "schema": {"type": "string"}}})
@blp.alt_response(422, schema=ProblemDetailSchema, description="台账、格式或筛选条件有误")
@blp.alt_response(429, schema=ProblemDetailSchema, description="创建导出任务过于频繁（EXPORT_RATE_LIMIT）")
def create_export(body):
    """创建导出任务：后台按执行时本人的范围导出台账，可查询进度，完成后下载"""
    return _created(export_jobs.create_job(actor=current_actor(), **body))


@blp.route("", methods=["GET"])
@blp.arguments(ExportQuerySchema, location="query")
@blp.response(200, page_schema(ExportJobSchema))
def list_exports(args):
    """本人的导出任务（最新在前）"""
    return export_jobs.job_page(actor=current_actor(), **args)


@blp.route(f"/{JOB_ID}", methods=["GET"])
@blp.response(200, ExportJobSchema)
@blp.alt_response(404, schema=ProblemDetailSchema, description="任务不存在或不是本人的（管理员也看不到他人的导出）")
def get_export(job_id):
    """查看导出任务的状态和进度（done/total），完成后给出下载地址"""
    return export_jobs.get_job_or_raise(actor=current_actor(), job_id=job_id)


@blp.route(f"/{JOB_ID}/file", methods=["GET"])
@blp.response(200, {"type": "string", "format": "binary"}, content_type=MIMETYPES["xlsx"],
              description="导出文件（xlsx 或 csv）")
@blp.alt_response(404, schema=ProblemDetailSchema, description="任务不存在或不是本人的")
@blp.alt_response(409, schema=ProblemDetailSchema, description="导出尚未完成或已失败")
@blp.alt_response(410, schema=ProblemDetailSchema, description="文件已过期删除（EXPORT_KEEP_HOURS）")
def export_file(job_id):
    """下载导出任务的文件"""
    job, path = export_jobs.job_file(actor=current_actor(), job_id=job_id)
    response = send_file(path, mimetype=MIMETYPES[job.format], conditional=False, etag=False)
    response.headers["Content-Disposition"] = exports.content_disposition(*export_jobs.download_names(job))
    return response
