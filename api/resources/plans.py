"""一企一策 plans of an enterprise."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_actor
from api.concurrency import optional_if_match, required_if_match, set_etag
from api.pagination import ListArgsSchema, page_schema
from api.schemas.common import ProblemDetailSchema
from api.schemas.plans import PlanPutSchema, PlanSchema
from services import plans

blp = Blueprint("plans", __name__, url_prefix="/api/v1/enterprises", description="一企一策")
ENTERPRISE = "<int(max=2147483647):enterprise_id>"


def _tagged(plan):
    set_etag(plan.version)
    return plan


@blp.route(f"/{ENTERPRISE}/plan")
class Plan(MethodView):
    @blp.response(200, PlanSchema)
    @blp.alt_response(304, description="未修改（If-None-Match）")
    @blp.alt_response(404, schema=ProblemDetailSchema)
    def get(self, enterprise_id):
        """查看企业当前的一企一策（最新版本）"""
        return _tagged(plans.get_current(actor=current_actor(), enterprise_id=enterprise_id))

    @blp.arguments(PlanPutSchema)
    @blp.response(200, PlanSchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    @blp.alt_response(412, schema=ProblemDetailSchema)
    @blp.alt_response(428, schema=ProblemDetailSchema)
    @blp.doc(description='If-Match 携带当前版本号（首次编制为 "0"）；保存为新版本草稿。')
    def put(self, body, enterprise_id):
        """保存一企一策为新版本（草稿）；If-Match 为当前版本"""
        return _tagged(plans.save(actor=current_actor(), enterprise_id=enterprise_id,
                                  expected_version=required_if_match(), **body))


@blp.route(f"/{ENTERPRISE}/plan/versions")
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, page_schema(PlanSchema))
@blp.alt_response(404, schema=ProblemDetailSchema)
def versions(args, enterprise_id):
    """一企一策的各个版本（最新在前）"""
    return plans.version_page(actor=current_actor(), enterprise_id=enterprise_id, **args)


@blp.route(f"/{ENTERPRISE}/plan/versions/<int(max=100000):version>")
@blp.response(200, PlanSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def version(enterprise_id, version):
    """查看一企一策的某个版本"""
    return _tagged(plans.get_version(actor=current_actor(), enterprise_id=enterprise_id, version=version))


@blp.route(f"/{ENTERPRISE}/plan/approve", methods=["POST"])
@blp.response(200, PlanSchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(409, schema=ProblemDetailSchema)
def approve(enterprise_id):
    """审批一企一策的当前版本（企业在其范围内的专班）"""
    return _tagged(plans.approve(actor=current_actor(), enterprise_id=enterprise_id,
                                 expected_version=optional_if_match()))
