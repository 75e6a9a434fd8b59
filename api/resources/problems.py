"""The problem ledger (问题台账): filing, lists, exports and the workflow actions."""

from flask import Response, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_actor
from api.concurrency import optional_if_match, required_if_match, set_etag
from api import sorts
from api.pagination import page_schema, paginate, split_paging
from api.schemas.common import ProblemDetailSchema
from api.schemas.problems import (
    ACTION_SCHEMAS, ProblemCreateSchema, ProblemExportQuerySchema, ProblemQuerySchema, ProblemSchema,
    ProblemSummarySchema, ProblemUpdateSchema,
)
from services import exports
from services.labels import ENUM_LABELS
from services.needs import core as need_core
from services.problems import commands, queries
from services.timeutil import local_today

blp = Blueprint("problems", __name__, url_prefix="/api/v1", description="问题台账与销号流程")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEM_ID = "<int(max=2147483647):problem_id>"


def _one(problem):
    set_etag(problem.version)
    return queries.get_problem_or_raise(actor=current_actor(), problem_id=problem.id)


@blp.route("/problems")
class Problems(MethodView):
    @blp.arguments(ProblemQuerySchema, location="query")
    @blp.response(200, page_schema(ProblemSummarySchema))
    def get(self, args):
        """List problems in the caller's scope"""
        filters, paging = split_paging(args)
        return paginate(queries.list_problems(actor=current_actor(), **filters), sorts=sorts.PROBLEMS, **paging)

    @blp.arguments(ProblemCreateSchema)
    @blp.response(201, ProblemSchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    @blp.alt_response(404, schema=ProblemDetailSchema, description="企业不存在或不在本人范围内")
    def post(self, body):
        """File a problem; it starts pending at the enterprise's county task force"""
        return _one(need_core.create_problem(actor=current_actor(), **body))


@blp.route(f"/problems/{PROBLEM_ID}")
class ProblemItem(MethodView):
    @blp.response(200, ProblemSchema)
    @blp.alt_response(304, description="未修改（If-None-Match）")
    @blp.alt_response(404, schema=ProblemDetailSchema)
    def get(self, problem_id):
        """Read a problem with its timeline and the actions the caller may take now"""
        problem = queries.get_problem_or_raise(actor=current_actor(), problem_id=problem_id)
        set_etag(problem.version)
        return problem

    @blp.arguments(ProblemUpdateSchema)
    @blp.response(200, ProblemSchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    @blp.alt_response(409, schema=ProblemDetailSchema)
    @blp.alt_response(412, schema=ProblemDetailSchema)
    @blp.alt_response(428, schema=ProblemDetailSchema)
    def patch(self, body, problem_id):
        """Correct title, description, category or urgency (holding task force; the filer while pending)"""
        return _one(commands.act(actor=current_actor(), problem_id=problem_id, action="update", payload=body,
                                 expected_version=required_if_match()))


@blp.route("/enterprises/<int(max=2147483647):enterprise_id>/problems")
@blp.arguments(ProblemQuerySchema, location="query")
@blp.response(200, page_schema(ProblemSummarySchema))
@blp.alt_response(404, schema=ProblemDetailSchema)
def enterprise_problems(args, enterprise_id):
    """List one enterprise's problems"""
    filters, paging = split_paging(args)
    filters.pop("enterprise", None)
    return paginate(queries.enterprise_problems(actor=current_actor(), enterprise_id=enterprise_id, **filters),
                    sorts=sorts.PROBLEMS, **paging)


def _export(args, fmt: str):
    actor = current_actor()
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
@blp.arguments(ProblemExportQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX, description="问题台账 Excel 文件")
def export_xlsx(args):
    """Export the ledger as an Excel workbook (same filters and scope as the list)"""
    return _export(args, "xlsx")


@blp.route("/problems/export.csv")
@blp.arguments(ProblemExportQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="text/csv", description="问题台账 CSV 文件")
def export_csv(args):
    """Export the ledger as CSV (UTF-8 with BOM; same filters and scope as the list)"""
    return _export(args, "csv")


SUMMARIES = {
    "accept": "Accept a problem at its required level", "reject": "Reject a pending problem with a reason",
    "escalate": "Escalate a problem to the parent task force", "return": "Return a pending problem one level down",
    "reclassify": "Change a problem's scope", "assign": "Name the 承办单位 department",
    "resolve": "Record the measures and result", "feedback": "Give the enterprise's verdict on a resolution",
    "close": "Close a problem resolved 15 days ago without feedback", "withdraw": "Withdraw one's own problem",
    "request_info": "Ask the enterprise for more facts (the clock stops)",
    "supply_info": "Supply the facts asked for (the clock runs again)",
    "request_extension": "Ask the parent task force for a later due date",
    "decide_extension": "Approve or deny an extension request", "supervise": "Put a problem under supervision (督办)",
    "unsupervise": "End the supervision of a problem", "comment": "Comment on a problem",
}


def _action_view(action: str, schema):
    def post(self, body, problem_id):
        return _one(commands.act(actor=current_actor(), problem_id=problem_id, action=action, payload=body,
                                 expected_version=optional_if_match()))

    post.__doc__ = SUMMARIES[action]
    post = blp.arguments(schema)(post)
    post = blp.response(200, ProblemSchema)(post)
    for status, description in ((403, "无权执行此操作"), (404, "问题不存在"), (409, "当前状态不允许此操作"),
                                (412, "版本已过期（If-Match）")):
        post = blp.alt_response(status, schema=ProblemDetailSchema, description=description)(post)
    view = type(f"{action.title().replace('_', '')}Action", (MethodView,), {"post": post})
    blp.route(f"/problems/{PROBLEM_ID}/{action}")(view)


for _action, _schema in ACTION_SCHEMAS.items():
    _action_view(_action, _schema)
