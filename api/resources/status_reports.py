"""月度监测 status reports of one enterprise."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_actor
from api.concurrency import optional_if_match, set_etag
from api.pagination import page_schema
from api.schemas.common import ProblemDetailSchema
from api.schemas.status_reports import StatusReportPutSchema, StatusReportQuerySchema, StatusReportSchema
from services import status_reports

blp = Blueprint("status_reports", __name__, url_prefix="/api/v1/enterprises", description="月度监测")


@blp.route("/<int(max=2147483647):enterprise_id>/status-reports")
@blp.arguments(StatusReportQuerySchema, location="query")
@blp.response(200, page_schema(StatusReportSchema))
@blp.alt_response(404, schema=ProblemDetailSchema)
def list_reports(args, enterprise_id):
    """企业的月度运行情况列表"""
    return status_reports.report_page(actor=current_actor(), enterprise_id=enterprise_id, **args)


@blp.route("/<int(max=2147483647):enterprise_id>/status-reports/<string(maxlength=32):period>")
class Report(MethodView):
    @blp.response(200, StatusReportSchema)
    @blp.alt_response(304, description="未修改（If-None-Match）")
    @blp.alt_response(404, schema=ProblemDetailSchema, description="企业不存在或该月尚未填报")
    def get(self, enterprise_id, period):
        """查看某月运行情况（更正时需其 ETag）"""
        report = status_reports.get_report_or_raise(actor=current_actor(), enterprise_id=enterprise_id, period=period)
        set_etag(report.version)
        return report

    @blp.arguments(StatusReportPutSchema)
    @blp.response(200, StatusReportSchema, description="已覆盖")
    @blp.alt_response(201, schema=StatusReportSchema, description="已创建")
    @blp.alt_response(412, schema=ProblemDetailSchema)
    @blp.alt_response(428, schema=ProblemDetailSchema, description="覆盖已有月报需要 If-Match")
    def put(self, body, enterprise_id, period):
        """填报（201）或更正（200，需 If-Match）本月运行情况"""
        report, created = status_reports.put_report(actor=current_actor(), enterprise_id=enterprise_id, period=period,
                                                    expected_version=optional_if_match(), fields=body)
        set_etag(report.version)
        return report, 201 if created else 200
