"""Enterprises (市场主体) and their history."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api import sorts
from api.auth import current_actor
from api.concurrency import required_if_match, set_etag
from api.pagination import ListArgsSchema, page_schema, paginate, split_paging
from api.schemas.common import ProblemDetailSchema
from api.schemas.enterprises import (
    EnterpriseChangeSchema, EnterpriseCreateSchema, EnterpriseQuerySchema, EnterpriseSchema, EnterpriseUpdateSchema,
)
from services import enterprises

blp = Blueprint("enterprises", __name__, url_prefix="/api/v1/enterprises", description="市场主体")


@blp.route("")
class Enterprises(MethodView):
    @blp.arguments(EnterpriseQuerySchema, location="query")
    @blp.response(200, page_schema(EnterpriseSchema))
    def get(self, args):
        """List enterprises in the caller's scope"""
        actor = current_actor()
        filters, paging = split_paging(args)
        page = paginate(enterprises.list_enterprises(actor=actor, **filters), sorts=sorts.ENTERPRISES, **paging)
        enterprises.reveal(actor, page["items"])
        return page

    @blp.arguments(EnterpriseCreateSchema)
    @blp.response(201, EnterpriseSchema)
    @blp.alt_response(409, schema=ProblemDetailSchema, description="统一社会信用代码已存在")
    def post(self, body):
        """Register an enterprise (admin, or a coordinator in its own subtree)"""
        enterprise = enterprises.create_enterprise(actor=current_actor(), **body)
        set_etag(enterprise.version)
        return enterprise


@blp.route("/<int(max=2147483647):enterprise_id>")
class EnterpriseItem(MethodView):
    @blp.response(200, EnterpriseSchema)
    @blp.alt_response(304, description="未修改（If-None-Match）")
    def get(self, enterprise_id):
        """Read an enterprise (contact phone masked for viewers)"""
        enterprise = enterprises.get_enterprise_or_raise(actor=current_actor(), enterprise_id=enterprise_id)
        set_etag(enterprise.version)
        return enterprise

    @blp.arguments(EnterpriseUpdateSchema)
    @blp.response(200, EnterpriseSchema)
    @blp.alt_response(412, schema=ProblemDetailSchema)
    @blp.alt_response(428, schema=ProblemDetailSchema)
    def patch(self, body, enterprise_id):
        """Update an enterprise (If-Match required); tag and status changes are kept as history"""
        enterprise = enterprises.update_enterprise(actor=current_actor(), enterprise_id=enterprise_id,
                                                   expected_version=required_if_match(), changes=body)
        set_etag(enterprise.version)
        return enterprise


@blp.route("/<int(max=2147483647):enterprise_id>/history")
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, page_schema(EnterpriseChangeSchema))
def enterprise_history(args, enterprise_id):
    """List the history of an enterprise's tags, operating status and headcount"""
    return paginate(enterprises.history(actor=current_actor(), enterprise_id=enterprise_id), **args)
