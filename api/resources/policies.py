"""惠企政策 and 不来即享 matching."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import anonymous_read_limit, current_actor, optional_actor
from api.concurrency import required_if_match, set_etag
from api.extensions import address_key, limiter
from api.pagination import page_schema
from api.schemas.common import ProblemDetailSchema
from api.schemas.policies import (
    MatchFactsSchema,
    MatchResultSchema,
    PolicyCreateSchema,
    PolicyQuerySchema,
    PolicySchema,
    PolicyUpdateSchema,
)
from services import policies

blp = Blueprint("policies", __name__, url_prefix="/api/v1", description="惠企政策（不来即享）")


def _public_limit():
    return current_app.config["PUBLIC_RATE_LIMIT"]


@blp.route("/policies")
class Policies(MethodView):
    decorators = [anonymous_read_limit]

    @blp.arguments(PolicyQuerySchema, location="query")
    @blp.response(200, page_schema(PolicySchema))
    @blp.alt_response(429, schema=ProblemDetailSchema)
    @blp.doc(security=[{}, {"bearerAuth": []}])
    def get(self, args):
        """政策列表（无令牌时只列有效政策）"""
        return policies.policy_page(actor=optional_actor(), **args)

    @blp.arguments(PolicyCreateSchema)
    @blp.response(201, PolicySchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    def post(self, body):
        """Publish a policy; the users of every enterprise it matches are notified (送政策上门)"""
        return policies.create_policy(actor=current_actor(), **body)


@blp.route("/policies/<int(max=2147483647):policy_id>")
class PolicyItem(MethodView):
    @blp.response(200, PolicySchema)
    @blp.alt_response(404, schema=ProblemDetailSchema)
    def get(self, policy_id):
        """查看政策"""
        policy = policies.get_policy_or_raise(policy_id)
        set_etag(policy.version)
        return policy

    @blp.arguments(PolicyUpdateSchema)
    @blp.response(200, PolicySchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    @blp.alt_response(412, schema=ProblemDetailSchema)
    @blp.alt_response(428, schema=ProblemDetailSchema)
    def patch(self, body, policy_id):
        """修改政策（需 If-Match）"""
        policy = policies.update_policy(actor=current_actor(), policy_id=policy_id,
                                        expected_version=required_if_match(), changes=body)
        set_etag(policy.version)
        return policy


@blp.route("/policies/match")
class Match(MethodView):
    decorators = [limiter.limit(_public_limit, key_func=address_key)]

    @blp.arguments(MatchFactsSchema)
    @blp.response(200, MatchResultSchema)
    @blp.alt_response(429, schema=ProblemDetailSchema)
    @blp.doc(security=[])
    def post(self, body):
        """不来即享：按填写的企业情况匹配有效政策（无需账号）"""
        return policies.match_facts(**body)


@blp.route("/enterprises/<int(max=2147483647):enterprise_id>/policies")
@blp.response(200, MatchResultSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def enterprise_policies(enterprise_id):
    """企业符合条件的有效政策（附理由）及差一点符合的政策"""
    return policies.match_enterprise(actor=current_actor(), enterprise_id=enterprise_id)
