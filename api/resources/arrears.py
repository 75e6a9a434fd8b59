"""清欠 (arrears): the cases, their repayment plan, repayments and the creditor's confirmation, the monthly county
table and the exports."""

from decimal import Decimal

from flask import Response, current_app, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_actor
from api.concurrency import optional_if_match, required_if_match, set_etag
from api.pagination import page_schema
from api.schemas.arrears import (
    ArrearsCaseSchema,
    ArrearsConfirmSchema,
    ArrearsCreateSchema,
    ArrearsExportQuerySchema,
    ArrearsMonthlyQuerySchema,
    ArrearsMonthlySchema,
    ArrearsPlanSchema,
    ArrearsQuerySchema,
    ArrearsRepaymentCreateSchema,
    ArrearsSummarySchema,
    ArrearsUpdateSchema,
)
from api.schemas.common import ProblemDetailSchema
from services import export_jobs, exports
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


def _with_etag(case):
    """The case as the caller sees it, its version as the ETag."""
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
        """本人范围内的清欠案件列表"""
        return cases.case_page(actor=current_actor(), **args)

    @blp.arguments(ArrearsCreateSchema)
    @blp.response(201, ArrearsCaseSchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    @blp.alt_response(404, schema=ProblemDetailSchema, description="企业不存在或不在本人范围内")
    def post(self, body):
        """登记清欠案件（债权企业本身、其联络员或辖区专班）"""
        return _with_etag(cases.create_case(actor=current_actor(), threshold=_threshold(), **body))


@blp.route(f"/{CASE_ID}")
class ArrearsCaseItem(MethodView):
    @blp.response(200, ArrearsCaseSchema)
    @blp.alt_response(304, description="未修改（If-None-Match）")
    @blp.alt_response(404, schema=ProblemDetailSchema)
    def get(self, case_id):
        """查看清欠案件及其还款计划、还款记录、办理过程和本人可执行的操作"""
        return _with_etag(cases.get_case_or_raise(actor=current_actor(), case_id=case_id))

    @documented(403, 404, 409, 412)
    @blp.arguments(ArrearsUpdateSchema)
    @blp.response(200, ArrearsCaseSchema)
    @blp.alt_response(428, schema=ProblemDetailSchema)
    def patch(self, body, case_id):
        """修改债务人、欠款来源、金额或疑难复杂标记（无分歧金额变化时还款计划作废）"""
        return _with_etag(cases.update_case(actor=current_actor(), case_id=case_id, expected_version=required_if_match(),
                                      threshold=_threshold(), **body))


@blp.route(f"/{CASE_ID}/plan")
class ArrearsPlan(MethodView):
    @documented(403, 404, 409, 412)
    @blp.arguments(ArrearsPlanSchema)
    @blp.response(200, ArrearsCaseSchema)
    @blp.alt_response(428, schema=ProblemDetailSchema)
    def put(self, body, case_id):
        """制定按月还款计划：各月金额之和须等于无分歧金额"""
        return _with_etag(cases.set_plan(actor=current_actor(), case_id=case_id, months=body["months"],
                                   expected_version=required_if_match()))


@blp.route(f"/{CASE_ID}/repayments")
class ArrearsRepayments(MethodView):
    @documented(403, 404, 409, 412)
    @blp.arguments(ArrearsRepaymentCreateSchema)
    @blp.response(201, ArrearsCaseSchema)
    def post(self, body, case_id):
        """登记还款（日期、金额、凭证）"""
        return _with_etag(cases.record_repayment(actor=current_actor(), case_id=case_id,
                                           expected_version=optional_if_match(), **body))


@blp.route(f"/{CASE_ID}/confirm")
class ArrearsConfirm(MethodView):
    @documented(403, 404, 409, 412)
    @blp.arguments(ArrearsConfirmSchema)
    @blp.response(200, ArrearsCaseSchema)
    def post(self, body, case_id):
        """债权企业确认清偿完毕（销号）"""
        return _with_etag(cases.confirm(actor=current_actor(), case_id=case_id, expected_version=optional_if_match(),
                                  **body))


@blp.route("/monthly")
@blp.arguments(ArrearsMonthlyQuerySchema, location="query")
@blp.response(200, ArrearsMonthlySchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema, description="区划不在本人辖区内")
def monthly(args):
    """清欠月度通报：某区域下各县区的清偿进度及排名"""
    return figures.monthly(actor=current_actor(), **args)


@blp.route("/monthly/export.xlsx")
@blp.arguments(ArrearsMonthlyQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX, description="清欠月度通报 Excel 文件")
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def monthly_export(args):
    """导出清欠月度通报 Excel"""
    name, ascii_name, content = figures.export_monthly(actor=current_actor(), **args)
    return Response(content, mimetype=XLSX, headers={"Content-Disposition": exports.content_disposition(name, ascii_name)})


@blp.route("/export.xlsx")
@blp.alt_response(422, schema=ProblemDetailSchema, description="行数超过 EXPORT_DIRECT_MAX_ROWS：请用 POST /exports 创建导出任务")
@blp.arguments(ArrearsExportQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX, description="清欠台账 Excel 文件")
def export_xlsx(args):
    """导出清欠台账 Excel（含还款计划和还款记录；筛选条件和范围与列表相同）"""
    export_jobs.check_direct(ledger="arrears", actor=current_actor(), fmt="xlsx", filters=args)
    body = figures.export_cases(actor=current_actor(), labels=ENUM_LABELS, **args)
    today = local_today().isoformat()
    return Response(stream_with_context(body), mimetype=XLSX, headers={
        "Content-Disposition": exports.content_disposition(f"清欠台账-{today}.xlsx", f"arrears-{today}.xlsx")})
