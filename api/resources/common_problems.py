"""共性问题 and similar problems."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api import sorts
from api.auth import current_actor
from api.pagination import ListArgsSchema, page_schema, paginate
from api.schemas.common import ProblemDetailSchema
from api.schemas.plans_policies import (
    CommonProblemCreateSchema, CommonProblemSchema, CommonResolveResultSchema, CommonResolveSchema, ProblemIdsSchema,
    SimilarQuerySchema, SimilarSchema,
)
from services import common_problems, similarity

blp = Blueprint("common_problems", __name__, url_prefix="/api/v1", description="共性问题与相似问题")
GROUP = "<int(max=2147483647):common_id>"


class CommonProblemListArgs(ListArgsSchema):
    sort = sorts.COMMON_PROBLEMS.field()


@blp.route("/common-problems")
class CommonProblems(MethodView):
    @blp.arguments(CommonProblemListArgs, location="query")
    @blp.response(200, page_schema(CommonProblemSchema))
    def get(self, args):
        """List common problems in the caller's region"""
        return paginate(common_problems.list_common(actor=current_actor()), sorts=sorts.COMMON_PROBLEMS, **args)

    @blp.arguments(CommonProblemCreateSchema)
    @blp.response(201, CommonProblemSchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    @blp.alt_response(404, schema=ProblemDetailSchema)
    def post(self, body):
        """Group problems of several enterprises under one joint solution"""
        return common_problems.create(actor=current_actor(), **body)


@blp.route(f"/common-problems/{GROUP}")
@blp.response(200, CommonProblemSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def get_common(common_id):
    """Read a common problem"""
    return common_problems.get_or_raise(actor=current_actor(), common_id=common_id)


@blp.route(f"/common-problems/{GROUP}/problems", methods=["POST"])
@blp.arguments(ProblemIdsSchema)
@blp.response(200, CommonProblemSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def add_members(body, common_id):
    """Add problems to a common problem"""
    return common_problems.add_members(actor=current_actor(), common_id=common_id, **body)


@blp.route(f"/common-problems/{GROUP}/problems/<int(max=2147483647):problem_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, schema=ProblemDetailSchema)
def remove_member(common_id, problem_id):
    """Take a problem out of a common problem"""
    common_problems.remove_member(actor=current_actor(), common_id=common_id, problem_id=problem_id)


@blp.route(f"/common-problems/{GROUP}/resolve", methods=["POST"])
@blp.arguments(CommonResolveSchema)
@blp.response(200, CommonResolveResultSchema)
@blp.alt_response(409, schema=ProblemDetailSchema, description="没有可由本专班办结的问题")
def resolve(body, common_id):
    """Resolve every linked in_progress problem the caller's task force holds"""
    return common_problems.resolve(actor=current_actor(), common_id=common_id, **body)


@blp.route("/problems/<int(max=2147483647):problem_id>/similar")
@blp.arguments(SimilarQuerySchema, location="query")
@blp.response(200, SimilarSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def similar(args, problem_id):
    """Open problems in the caller's scope that read like this one, with a score"""
    return {"items": similarity.similar(actor=current_actor(), problem_id=problem_id, **args)}
