"""月度监测: a region's monthly status-report survey."""

from flask_smorest import Blueprint

from api.auth import current_actor
from api.schemas.common import ProblemDetailSchema
from api.schemas.surveys import SurveyQuerySchema, SurveySchema
from services import surveys

blp = Blueprint("status_report_survey", __name__, url_prefix="/api/v1/status-reports", description="月度监测")


@blp.route("")
@blp.arguments(SurveyQuerySchema, location="query")
@blp.response(200, SurveySchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema, description="区划不在本人辖区内")
def get_survey(args):
    """某区域的月度运行情况汇总及未填报企业"""
    return surveys.survey(actor=current_actor(), **args)
