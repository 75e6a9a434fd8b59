"""Enterprises (市场主体) and their history."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_actor
from api.concurrency import required_if_match, set_etag
from api.pagination import ListArgsSchema, page_schema
from api.schemas.common import ProblemDetailSchema
from api.schemas.enterprises import (
    EnterpriseChangeSchema,
    EnterpriseCreateSchema,
    EnterpriseQuerySchema,
    EnterpriseSchema,
    EnterpriseUpdateSchema,
)
from services import enterprises

blp = Blueprint("enterprises", __name__, url_prefix="/api/v1/enterprises", description="市场主体")


@blp.route("")
class Enterprises(MethodView):
    @blp.arguments(EnterpriseQuerySchema, location="query")
    @blp.response(200, page_schema(EnterpriseSchema))
    def get(self, args):
        """本人范围内的企业列表"""
        return enterprises.enterprise_page(actor=current_actor(), **args)

    @blp.arguments(EnterpriseCreateSchema)
    @blp.response(201, EnterpriseSchema)
    @blp.alt_response(409, schema=ProblemDetailSchema, description="统一社会信用代码已存在")
    def post(self, body):
        """登记企业（管理员，或本辖区的专班）"""
        enterprise = enterprises.create_enterprise(actor=current_actor(), **body)
        set_etag(enterprise.version)
        return enterprise


@blp.route("/<int(max=2147483647):enterprise_id>")
class EnterpriseItem(MethodView):
    @blp.response(200, EnterpriseSchema)
    @blp.alt_response(304, description="未修改（If-None-Match）")
    def get(self, enterprise_id):
        """查看企业（领导等只读用户看到的联系电话已脱敏）"""
        enterprise = enterprises.get_enterprise_or_raise(actor=current_actor(), enterprise_id=enterprise_id)
        set_etag(enterprise.version)
        return enterprise

    @blp.arguments(EnterpriseUpdateSchema)
    @blp.response(200, EnterpriseSchema)
    @blp.alt_response(412, schema=ProblemDetailSchema)
    @blp.alt_response(428, schema=ProblemDetailSchema)
    def patch(self, body, enterprise_id):
        """修改企业（需 If-Match）；标签和经营状态的变更保留历史"""
        enterprise = enterprises.update_enterprise(actor=current_actor(), enterprise_id=enterprise_id,
                                                   expected_version=required_if_match(), changes=body)
        set_etag(enterprise.version)
        return enterprise


@blp.route("/<int(max=2147483647):enterprise_id>/history")
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, page_schema(EnterpriseChangeSchema))
def enterprise_history(args, enterprise_id):
    """企业标签、经营状态和用工人数的变更历史"""
    return enterprises.history_page(actor=current_actor(), enterprise_id=enterprise_id, **args)
