"""日调度: the daily dispatch dashboard."""

from flask import current_app
from flask_smorest import Blueprint

from api.auth import current_actor
from api.schemas.common import ProblemDetailSchema
from api.schemas.dashboard import DashboardQuerySchema, DashboardSchema
from services import dashboard as service

blp = Blueprint("dashboard", __name__, url_prefix="/api/v1/dashboard", description="日调度")


@blp.route("")
@blp.arguments(DashboardQuerySchema, location="query")
@blp.response(200, DashboardSchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(404, schema=ProblemDetailSchema, description="区划不在本人辖区内")
def get_dashboard(args):
    """日调度：某区域某日的数据，每个下级区域一行"""
    held = service.answer(actor=current_actor(), **args)
    if held.body is None:  # a kept answer is serialised once
        held.body = current_app.json.response(DashboardSchema().dump(held.data)).get_data()
    return current_app.response_class(held.body, mimetype="application/json")
