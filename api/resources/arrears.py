"""清欠 (arrears): the cases, their repayment plan, repayments and the creditor's confirmation, the monthly county
table and the exports."""

from decimal import Decimal

from flask import Response, current_app, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

from api import sorts
from api.auth import current_actor
from api.concurrency import optional_if_match, required_if_match, set_etag
from api.pagination import page_schema, paginate, split_paging
from api.schemas.arrears import (
    ArrearsCaseSchema, ArrearsCreateSchema, ArrearsExportQuerySchema, ArrearsQuerySchema, ArrearsSummarySchema,
    ArrearsUpdateSchema, ArrearsConfirmSchema, ArrearsMonthlyQuerySchema, ArrearsMonthlySchema, ArrearsPlanSchema, ArrearsRepaymentCreateSchema,
)
from api.schemas.common import ProblemDetailSchema
from services import exports
from services.arrears import cases, figures
from services.labels import ENUM_LABELS
from services.timeutil import local_today

blp = Blueprint("arrears", __name__, url_prefix="/api/v1/arrears", description="清欠：拖欠民营企业中小企业账款")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CASE_ID = "<int(max=2147483647):case_id>"
ERRORS = ((403, "无权执行此操作"), (404, "清欠案件不存在"), (409, "当前状态不允许此操作"), (412, "版本已过期（If-Match）"),
          (422, "输入数据有误"))


def _threshold() -> Decimal:
    return current_app.config["ARREARS_SUPERVISION_THRESHOLD_10K"]


def _one(case):
    set_etag(case.version)
    return case


def documented(*statuses):
    """The problem+json answers an action may give, in the OpenAPI document."""
    def decorate(view):
        for status, description in ERRORS:
            if status in statuses:
                view = blp.alt_response(status, schema=ProblemDetailSchema, description=description)(view)
        return view
    return decorate


@blp.route("")
class ArrearsCases(MethodView):
    @blp.arguments(ArrearsQuerySchema, location="query")
    @blp.response(200, page_schema(ArrearsSummarySchema))
    def get(self, args):
        """List arrears cases in the caller's scope"""
        filters, paging = split_paging(args)
        return paginate(cases.list_cases(actor=current_actor(), **filters), sorts=sorts.ARREARS, **paging)

    @blp.arguments(ArrearsCreateSchema)
    @blp.response(201, ArrearsCaseSchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    @blp.alt_response(404, schema=ProblemDetailSchema, description="企业不存在或不在本人范围内")
    def post(self, body):
        """File an arrears case for a creditor enterprise (its user, its liaison or a coordinator in scope)"""
        return _one(cases.create_case(actor=current_actor(), threshold=_threshold(), **body))


@blp.route(f"/{CASE_ID}")
class ArrearsCaseItem(MethodView):
    @blp.response(200, ArrearsCaseSchema)
    @blp.alt_response(304, description="未修改（If-None-Match）")
    @blp.alt_response(404, schema=ProblemDetailSchema)
    def get(self, case_id):
        """Read an arrears case with its plan, repayments, timeline and the actions the caller may take"""
        return _one(cases.get_case_or_raise(actor=current_actor(), case_id=case_id))

    @documented(403, 404, 409, 412)
    @blp.arguments(ArrearsUpdateSchema)
    @blp.response(200, ArrearsCaseSchema)
    @blp.alt_response(428, schema=ProblemDetailSchema)
    def patch(self, body, case_id):
        """Correct the debtor, origin, amounts or the complex flag (a changed undisputed amount voids the plan)"""
        return _one(cases.update_case(actor=current_actor(), case_id=case_id, expected_version=required_if_match(),
                                      threshold=_threshold(), **body))



@blp.route(f"/{CASE_ID}/plan")
class ArrearsPlan(MethodView):
    @documented(403, 404, 409, 412)
    @blp.arguments(ArrearsPlanSchema)
    @blp.response(200, ArrearsCaseSchema)
    @blp.alt_response(428, schema=ProblemDetailSchema)
    def put(self, body, case_id):
        """Set the monthly repayment plan; its months must add up to the undisputed amount"""
        return _one(cases.set_plan(actor=current_actor(), case_id=case_id, months=body["months"],
                                   expected_version=required_if_match()))



@blp.route(f"/{CASE_ID}/repayments")
class ArrearsRepayments(MethodView):
    @documented(403, 404, 409, 412)
    @blp.arguments(ArrearsRepaymentCreateSchema)
    @blp.response(201, ArrearsCaseSchema)
    def post(self, body, case_id):
        """Record a repayment (date, amount, evidence)"""
        return _one(cases.record_repayment(actor=current_actor(), case_id=case_id,
                                           expected_version=optional_if_match(), **body))



@blp.route(f"/{CASE_ID}/confirm")
class ArrearsConfirm(MethodView):
    @documented(403, 404, 409, 412)
    @blp.arguments(ArrearsConfirmSchema)
    @blp.response(200, ArrearsCaseSchema)
    def post(self, body, case_id):
        """Confirm, as the creditor, that the case is paid (销号)"""
        return _one(cases.confirm(actor=current_actor(), case_id=case_id, expected_version=optional_if_match(),
                                  **body))



@blp.route("/monthly")
@blp.arguments(ArrearsMonthlyQuerySchema, location="query")
@blp.response(200, ArrearsMonthlySchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema, description="区划不在本人辖区内")
def monthly(args):
    """Monthly arrears figures of every county under a region, ranked by completion"""
    return figures.monthly(actor=current_actor(), **args)


@blp.route("/monthly/export.xlsx")
@blp.arguments(ArrearsMonthlyQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX, description="清欠月度通报 Excel 文件")
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def monthly_export(args):
    """Export the monthly county figures as an Excel workbook"""
    name, ascii_name, content = figures.export_monthly(actor=current_actor(), **args)
    return Response(content, mimetype=XLSX, headers={"Content-Disposition": exports.content_disposition(name, ascii_name)})


@blp.route("/export.xlsx")
@blp.arguments(ArrearsExportQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX, description="清欠台账 Excel 文件")
def export_xlsx(args):
    """Export the arrears ledger with plans and repayments (same filters and scope as the list)"""
    body = figures.export_cases(actor=current_actor(), labels=ENUM_LABELS, **args)
    today = local_today().isoformat()
    return Response(stream_with_context(body), mimetype=XLSX, headers={
        "Content-Disposition": exports.content_disposition(f"清欠台账-{today}.xlsx", f"arrears-{today}.xlsx")})
