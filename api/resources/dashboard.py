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
    """日调度：某区域某日的数据，每个下级区域一行

    同一区域、同一天的结果由每个服务进程保留，再次请求时直接给出；辖区内任何会改变它的写入（问题、走访、派单、预警、
    对接需求、区划或部门的修改）提交之后，下一次请求即重新计算，某个问题或派单到期的时刻过后也重新计算。"""
    held = service.answer(actor=current_actor(), **args)
    if held.body is None:  # a kept answer is serialised once
        held.body = current_app.json.response(DashboardSchema().dump(held.data)).get_data()
    return current_app.response_class(held.body, mimetype="application/json")
