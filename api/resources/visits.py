"""走访 visits and their photos."""

from flask import Response, current_app, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_actor
from api.concurrency import set_etag
from api.pagination import page_schema
from api.schemas.common import ProblemDetailSchema
from api.schemas.photos import PhotoSchema, UploadSchema
from api.schemas.visits import VisitCreateSchema, VisitExportQuerySchema, VisitQuerySchema, VisitSchema
from services import export_jobs, exports, photos, visit_exports, visits
from services.labels import ENUM_LABELS
from services.timeutil import local_today

blp = Blueprint("visits", __name__, url_prefix="/api/v1", description="走访与照片")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/visits")
class Visits(MethodView):
    @blp.arguments(VisitQuerySchema, location="query")
    @blp.response(200, page_schema(VisitSchema))
    def get(self, args):
        """本人范围内的走访记录（最近在前）"""
        return visits.visit_page(actor=current_actor(), **args)

    @blp.arguments(VisitCreateSchema)
    @blp.response(201, VisitSchema)
    @blp.alt_response(403, schema=ProblemDetailSchema, description="不是派驻该企业的联络员")
    @blp.alt_response(404, schema=ProblemDetailSchema)
    def post(self, body):
        """登记走访及走访中发现的问题（同一事务）"""
        visit = visits.create_visit(actor=current_actor(), **body)
        set_etag(visit.version)
        return visit


@blp.route("/visits/<int(max=2147483647):visit_id>")
@blp.response(200, VisitSchema)
@blp.alt_response(304, description="未修改（If-None-Match）")
@blp.alt_response(404, schema=ProblemDetailSchema)
def get_visit(visit_id):
    """查看走访记录"""
    visit = visits.get_visit_or_raise(actor=current_actor(), visit_id=visit_id)
    set_etag(visit.version)
    return visit


@blp.route("/enterprises/<int(max=2147483647):enterprise_id>/visits")
@blp.arguments(VisitQuerySchema, location="query")
@blp.response(200, page_schema(VisitSchema))
@blp.alt_response(404, schema=ProblemDetailSchema)
def enterprise_visits(args, enterprise_id):
    """某企业的走访记录"""
    return visits.enterprise_visit_page(actor=current_actor(), enterprise_id=enterprise_id, **args)


@blp.route("/visits/<int(max=2147483647):visit_id>/photos", methods=["POST"])
@blp.arguments(UploadSchema, location="files")
@blp.response(201, PhotoSchema)
@blp.alt_response(413, schema=ProblemDetailSchema, description="超过 10 MB")
@blp.alt_response(415, schema=ProblemDetailSchema, description="不是 JPEG 或 PNG")
def upload_visit_photo(files, visit_id):
    """为走访上传照片（JPEG 或 PNG，≤ 10 MB）"""
    return photos.save_photo(actor=current_actor(), data=files["file"].read(photos.MAX_BYTES + 1),
                             visit_id=visit_id, upload_dir=current_app.config["UPLOAD_DIR"])


def _export(args, fmt: str):
    export_jobs.check_direct(ledger="visits", actor=current_actor(), fmt=fmt, filters=args)
    rows = visit_exports.export_rows(actor=current_actor(), labels=ENUM_LABELS, fmt=fmt, **args)
    body = (exports.csv_stream(visit_exports.VISIT_COLUMNS, rows) if fmt == "csv"
            else exports.xlsx_stream([("走访台账", visit_exports.VISIT_COLUMNS, rows)]))
    today = local_today().isoformat()
    return Response(stream_with_context(body), mimetype="text/csv" if fmt == "csv" else XLSX,
                    headers={"Content-Disposition": exports.content_disposition(f"走访台账-{today}.{fmt}",
                                                                                f"visits-{today}.{fmt}")})


@blp.route("/visits/export.xlsx")
@blp.alt_response(422, schema=ProblemDetailSchema, description="行数超过 EXPORT_DIRECT_MAX_ROWS：请用 POST /exports 创建导出任务")
@blp.arguments(VisitExportQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX, description="走访台账 Excel 文件")
@blp.alt_response(403, schema=ProblemDetailSchema, description="企业用户不能查看走访记录")
def export_visits_xlsx(args):
    """导出走访记录 Excel（筛选条件和范围与列表相同）"""
    return _export(args, "xlsx")


@blp.route("/visits/export.csv")
@blp.alt_response(422, schema=ProblemDetailSchema, description="行数超过 EXPORT_DIRECT_MAX_ROWS：请用 POST /exports 创建导出任务")
@blp.arguments(VisitExportQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="text/csv", description="走访台账 CSV 文件")
@blp.alt_response(403, schema=ProblemDetailSchema, description="企业用户不能查看走访记录")
def export_visits_csv(args):
    """导出走访记录 CSV（UTF-8 带 BOM；筛选条件和范围与列表相同）"""
    return _export(args, "csv")
