"""Departments' tasks (派单 · 签收 · 退单 · 办结反馈): the inbox, one task, its actions, the export and the
department assessment (州直部门考核)."""

from flask import Response, current_app, stream_with_context
from flask_smorest import Blueprint

from api.actions import route_actions
from api.auth import current_actor
from api.concurrency import set_etag
from api.schemas.common import ProblemDetailSchema
from api.schemas.tasks import (
    ACTION_SCHEMAS,
    DepartmentAssessmentQuerySchema,
    DepartmentAssessmentSchema,
    TaskExportQuerySchema,
    TaskPageSchema,
    TaskQuerySchema,
    TaskSchema,
)
from services import export_jobs, exports
from services.labels import ENUM_LABELS
from services.tasks import assessment, commands, queries, workflow
from services.timeutil import local_today

blp = Blueprint("tasks", __name__, url_prefix="/api/v1", description="承办单位任务：派单、签收、退单、办结反馈")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TASK_ID = "<int(max=2147483647):task_id>"


@blp.route("/tasks")
@blp.arguments(TaskQuerySchema, location="query")
@blp.response(200, TaskPageSchema)
@blp.alt_response(403, schema=ProblemDetailSchema, description="该角色不能查看任务")
def list_tasks(args):
    """任务列表：部门的待办任务（按期限），或专班范围内的任务，附各状态数量"""
    return queries.task_page(actor=current_actor(), **args)


@blp.route(f"/tasks/{TASK_ID}")
@blp.response(200, TaskSchema)
@blp.alt_response(304, description="未修改（If-None-Match）")
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def get_task(task_id):
    """查看任务及本人当前可执行的操作"""
    return _with_etag(queries.get_task_or_raise(actor=current_actor(), task_id=task_id))


def _export(args, fmt: str):
    export_jobs.check_direct(ledger="tasks", actor=current_actor(), fmt=fmt, filters=args)
    rows = queries.export_rows(actor=current_actor(), labels=ENUM_LABELS, fmt=fmt, **args)
    today = local_today().isoformat()
    body = (exports.csv_stream(queries.EXPORT_COLUMNS, rows) if fmt == "csv"
            else exports.xlsx_stream([("承办任务", queries.EXPORT_COLUMNS, rows)]))
    return Response(stream_with_context(body), mimetype="text/csv" if fmt == "csv" else XLSX,
                    headers={"Content-Disposition": exports.content_disposition(f"承办任务-{today}.{fmt}",
                                                                                f"tasks-{today}.{fmt}")})


@blp.route("/tasks/export.xlsx")
@blp.alt_response(422, schema=ProblemDetailSchema, description="行数超过 EXPORT_DIRECT_MAX_ROWS：请用 POST /exports 创建导出任务")
@blp.arguments(TaskExportQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX, description="承办任务 Excel 文件")
@blp.alt_response(403, schema=ProblemDetailSchema)
def export_tasks_xlsx(args):
    """导出承办任务 Excel（筛选条件和范围与列表相同）"""
    return _export(args, "xlsx")


@blp.route("/tasks/export.csv")
@blp.alt_response(422, schema=ProblemDetailSchema, description="行数超过 EXPORT_DIRECT_MAX_ROWS：请用 POST /exports 创建导出任务")
@blp.arguments(TaskExportQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="text/csv", description="承办任务 CSV 文件")
@blp.alt_response(403, schema=ProblemDetailSchema)
def export_tasks_csv(args):
    """导出承办任务 CSV（UTF-8 带 BOM；筛选条件和范围与列表相同）"""
    return _export(args, "csv")


def _with_etag(task):
    """The task as the caller sees it, its version as the ETag."""
    set_etag(task.version)
    return task


def _take(*, action, object_id, payload, expected_version):
    return commands.take_action(actor=current_actor(), task_id=object_id, action=action, payload=payload,
                                expected_version=expected_version)


route_actions(blp, url=f"/tasks/{TASK_ID}", id_name="task_id", schemas=ACTION_SCHEMAS, table=workflow.TABLE,
              answer_schema=TaskSchema, not_found="任务不存在", take=_take, prefix="Task")


@blp.route("/assessments/departments")
@blp.arguments(DepartmentAssessmentQuerySchema, location="query")
@blp.response(200, DepartmentAssessmentSchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema, description="区划不在本人辖区内")
def department_assessment(args):
    """Assess every department under a region for a quarter (州直部门考核)"""
    return assessment.assess(actor=current_actor(), weights=current_app.config["DEPARTMENT_ASSESSMENT_WEIGHTS"],
                             **args)


@blp.route("/assessments/departments/export.xlsx")
@blp.arguments(DepartmentAssessmentQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX, description="部门考核 Excel 文件")
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def department_assessment_xlsx(args):
    """导出季度部门考核评价 Excel"""
    name, ascii_name, content = assessment.export(
        actor=current_actor(), weights=current_app.config["DEPARTMENT_ASSESSMENT_WEIGHTS"], **args)
    return Response(content, mimetype=XLSX, headers={"Content-Disposition": exports.content_disposition(name, ascii_name)})
