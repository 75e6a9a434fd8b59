"""The problem ledger (问题台账): filing, lists, exports and the workflow actions."""

from flask import Response, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

from api.actions import route_actions
from api.auth import current_actor
from api.concurrency import required_if_match, set_etag
from api.pagination import page_schema
from api.serializers import problem_detail
from api.schemas.common import ProblemDetailSchema
from api.schemas.problems import (
    ACTION_SCHEMAS,
    ProblemCreateSchema,
    ProblemExportQuerySchema,
    ProblemQuerySchema,
    ProblemSchema,
    ProblemSummarySchema,
    ProblemUpdateSchema,
)
from services import export_jobs, exports
from services.labels import ENUM_LABELS
from services.needs import core as need_core
from services.problems import commands, detail, queries, workflow
from services.timeutil import local_today

blp = Blueprint("problems", __name__, url_prefix="/api/v1", description="问题台账与销号流程")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEM_ID = "<int(max=2147483647):problem_id>"


def _with_etag(problem):
    """The problem as the caller sees it, its version as the ETag."""
    set_etag(problem.version)
    return problem


@blp.route("/problems")
class Problems(MethodView):
    @blp.arguments(ProblemQuerySchema, location="query")
    @blp.response(200, page_schema(ProblemSummarySchema))
    def get(self, args):
        """本人范围内的问题台账"""
        return queries.problem_page(actor=current_actor(), **args)

    @blp.arguments(ProblemCreateSchema)
    @blp.response(201, ProblemSchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    @blp.alt_response(404, schema=ProblemDetailSchema, description="企业不存在或不在本人范围内")
    def post(self, body):
        """登记问题：先到企业所在县专班待受理（可附带对接需求，同一事务）"""
        return _with_etag(need_core.create_problem(actor=current_actor(), **body))


@blp.route(f"/problems/{PROBLEM_ID}")
class ProblemItem(MethodView):
    @blp.response(200, ProblemSchema)
    @blp.alt_response(304, description="未修改（If-None-Match）")
    @blp.alt_response(404, schema=ProblemDetailSchema)
    def get(self, problem_id):
        """查看问题及其办理过程和本人当前可执行的操作"""
        page = _with_etag(detail.read_problem(actor=current_actor(), problem_id=problem_id))
        return problem_detail.json_response(page)  # what ProblemSchema dumps, without marshmallow

    @blp.arguments(ProblemUpdateSchema)
    @blp.response(200, ProblemSchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    @blp.alt_response(409, schema=ProblemDetailSchema)
    @blp.alt_response(412, schema=ProblemDetailSchema)
    @blp.alt_response(428, schema=ProblemDetailSchema)
    def patch(self, body, problem_id):
        """修改问题的标题、描述、类别或紧急程度（承办专班；登记人仅在待受理时）"""
        return _with_etag(commands.take_action(actor=current_actor(), problem_id=problem_id, action="update", payload=body,
                                       expected_version=required_if_match()))


@blp.route("/enterprises/<int(max=2147483647):enterprise_id>/problems")
@blp.arguments(ProblemQuerySchema, location="query")
@blp.response(200, page_schema(ProblemSummarySchema))
@blp.alt_response(404, schema=ProblemDetailSchema)
def enterprise_problems(args, enterprise_id):
    """某企业的问题列表"""
    return queries.enterprise_problem_page(actor=current_actor(), enterprise_id=enterprise_id, **args)


def _export(args, fmt: str):
    actor = current_actor()
    export_jobs.check_direct(ledger="problems", actor=actor, fmt=fmt, filters=args)
    rows = queries.export_rows(actor=actor, labels=ENUM_LABELS, fmt=fmt, **args)
    today = local_today().isoformat()
    if fmt == "csv":
        body = exports.csv_stream(queries.EXPORT_COLUMNS, rows)
    else:
        body = exports.xlsx_stream([
            ("问题台账", queries.EXPORT_COLUMNS, rows),
            ("办理段", queries.STINT_COLUMNS, queries.export_stint_rows(actor=actor, labels=ENUM_LABELS, **args)),
        ])
    disposition = exports.content_disposition(f"问题台账-{today}.{fmt}", f"ledger-{today}.{fmt}")
    return Response(stream_with_context(body), mimetype="text/csv" if fmt == "csv" else XLSX,
                    headers={"Content-Disposition": disposition})


@blp.route("/problems/export.xlsx")
@blp.alt_response(422, schema=ProblemDetailSchema, description="行数超过 EXPORT_DIRECT_MAX_ROWS：请用 POST /exports 创建导出任务")
@blp.arguments(ProblemExportQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX, description="问题台账 Excel 文件")
def export_xlsx(args):
    """导出问题台账 Excel（筛选条件和范围与列表相同）"""
    return _export(args, "xlsx")


@blp.route("/problems/export.csv")
@blp.alt_response(422, schema=ProblemDetailSchema, description="行数超过 EXPORT_DIRECT_MAX_ROWS：请用 POST /exports 创建导出任务")
@blp.arguments(ProblemExportQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="text/csv", description="问题台账 CSV 文件")
def export_csv(args):
    """导出问题台账 CSV（UTF-8 带 BOM；筛选条件和范围与列表相同）"""
    return _export(args, "csv")


def _take(*, action, object_id, payload, expected_version):
    return commands.take_action(actor=current_actor(), problem_id=object_id, action=action, payload=payload,
                                expected_version=expected_version)


route_actions(blp, url=f"/problems/{PROBLEM_ID}", id_name="problem_id", schemas=ACTION_SCHEMAS, table=workflow.TABLE,
              answer_schema=ProblemSchema, not_found="问题不存在", take=_take)
