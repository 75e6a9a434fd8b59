"""考核评价: the quarterly county assessment and its export."""

from flask import Response, current_app
from flask_smorest import Blueprint

from api.auth import current_actor
from api.schemas.assessments import AssessmentQuerySchema, AssessmentSchema
from api.schemas.common import ProblemDetailSchema
from services import assessment, exports

blp = Blueprint("assessments", __name__, url_prefix="/api/v1/assessments", description="考核评价")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("")
@blp.arguments(AssessmentQuerySchema, location="query")
@blp.response(200, AssessmentSchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema, description="区划不在本人辖区内")
def get_assessment(args):
    """按季度考核评价某区域下的各县区"""
    return assessment.assess(actor=current_actor(), weights=current_app.config["ASSESSMENT_WEIGHTS"], **args)


def _export(args, fmt: str):
    name, ascii_name, content = assessment.export(actor=current_actor(), fmt=fmt,
                                                  weights=current_app.config["ASSESSMENT_WEIGHTS"], **args)
    return Response(content, mimetype=XLSX if fmt == "xlsx" else "text/csv",
                    headers={"Content-Disposition": exports.content_disposition(name, ascii_name)})


@blp.route("/export.xlsx")
@blp.arguments(AssessmentQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX, description="考核结果 Excel 文件")
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def export_assessment(args):
    """导出季度考核评价 Excel"""
    return _export(args, "xlsx")


@blp.route("/export.csv")
@blp.arguments(AssessmentQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="text/csv", description="考核结果 CSV 文件")
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def export_assessment_csv(args):
    """导出季度考核评价 CSV（UTF-8 带 BOM；先县区，后行业）"""
    return _export(args, "csv")
