"""惠企政策 and 不来即享 matching."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from api import sorts
from api.auth import anonymous_read_limit, current_actor, optional_actor
from api.concurrency import required_if_match, set_etag
from api.extensions import limiter, address_key
from api.pagination import page_schema, paginate, split_paging
from api.schemas.common import ProblemDetailSchema
from api.schemas.plans_policies import (
    MatchFactsSchema, MatchResultSchema, PolicyCreateSchema, PolicyQuerySchema, PolicySchema, PolicyUpdateSchema,
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
        """List policies (without a token: only those in force)"""
        filters, paging = split_paging(args)
        return paginate(policies.list_policies(actor=optional_actor(), benefit_type=filters.get("benefit_type"),
                                               in_force_only=filters.get("in_force")), sorts=sorts.POLICIES,
                        **paging)

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
        """Read a policy"""
        policy = policies.get_policy_or_raise(policy_id)
        set_etag(policy.version)
        return policy

    @blp.arguments(PolicyUpdateSchema)
    @blp.response(200, PolicySchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    @blp.alt_response(412, schema=ProblemDetailSchema)
    @blp.alt_response(428, schema=ProblemDetailSchema)
    def patch(self, body, policy_id):
        """Update a policy (If-Match)"""
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
        """Match typed-in facts to the policies in force, without an account"""
        return policies.match_facts(**body)


@blp.route("/enterprises/<int(max=2147483647):enterprise_id>/policies")
@blp.response(200, MatchResultSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def enterprise_policies(enterprise_id):
    """The policies in force an enterprise qualifies for, with reasons, and its near misses"""
    return policies.match_enterprise(actor=current_actor(), enterprise_id=enterprise_id)
