"""监测预警: early warnings and their acknowledgement."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_actor
from api.concurrency import optional_if_match, set_etag
from api.pagination import page_schema
from api.schemas.common import ProblemDetailSchema
from api.schemas.warnings import AcknowledgeSchema, WarningQuerySchema, WarningSchema
from services import monitoring

blp = Blueprint("warnings", __name__, url_prefix="/api/v1/warnings", description="监测预警")


@blp.route("")
@blp.arguments(WarningQuerySchema, location="query")
@blp.response(200, page_schema(WarningSchema))
@blp.alt_response(403, schema=ProblemDetailSchema, description="企业用户无权查看预警")
def list_warnings(args):
    """本人范围内的预警列表"""
    return monitoring.warning_page(actor=current_actor(), **args)


@blp.route("/<int(max=2147483647):warning_id>")
class WarningItem(MethodView):
    @blp.response(200, WarningSchema)
    @blp.alt_response(304, description="未修改（If-None-Match）")
    def get(self, warning_id):
        """查看预警"""
        warning = monitoring.get_warning_or_raise(actor=current_actor(), warning_id=warning_id)
        set_etag(warning.version)
        return warning


@blp.route("/<int(max=2147483647):warning_id>/acknowledge", methods=["POST"])
@blp.arguments(AcknowledgeSchema)
@blp.response(200, WarningSchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(409, schema=ProblemDetailSchema, description="预警已确认或已解除")
def acknowledge(body, warning_id):
    """签收一条未处理的预警（预警所在区域的专班）"""
    warning = monitoring.acknowledge(actor=current_actor(), warning_id=warning_id,
                                     expected_version=optional_if_match(), **body)
    set_etag(warning.version)
    return warning
