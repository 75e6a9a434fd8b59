"""共性问题 and similar problems."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_actor
from api.pagination import page_schema
from api.schemas.common import ProblemDetailSchema
from api.schemas.common_problems import (
    CommonProblemCreateSchema,
    CommonProblemListArgs,
    CommonProblemSchema,
    CommonResolveResultSchema,
    CommonResolveSchema,
    ProblemIdsSchema,
    SimilarQuerySchema,
    SimilarSchema,
)
from services import common_problems, similarity

blp = Blueprint("common_problems", __name__, url_prefix="/api/v1", description="共性问题与相似问题")
GROUP = "<int(max=2147483647):common_id>"


@blp.route("/common-problems")
class CommonProblems(MethodView):
    @blp.arguments(CommonProblemListArgs, location="query")
    @blp.response(200, page_schema(CommonProblemSchema))
    def get(self, args):
        """本人区域的共性问题列表"""
        return common_problems.common_page(actor=current_actor(), **args)

    @blp.arguments(CommonProblemCreateSchema)
    @blp.response(201, CommonProblemSchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    @blp.alt_response(404, schema=ProblemDetailSchema)
    def post(self, body):
        """把多家企业的问题归为一个共性问题统一解决"""
        return common_problems.create(actor=current_actor(), **body)


@blp.route(f"/common-problems/{GROUP}")
@blp.response(200, CommonProblemSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def get_common(common_id):
    """查看共性问题"""
    return common_problems.get_or_raise(actor=current_actor(), common_id=common_id)


@blp.route(f"/common-problems/{GROUP}/problems", methods=["POST"])
@blp.arguments(ProblemIdsSchema)
@blp.response(200, CommonProblemSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def add_members(body, common_id):
    """把问题归入共性问题"""
    return common_problems.add_members(actor=current_actor(), common_id=common_id, **body)


@blp.route(f"/common-problems/{GROUP}/problems/<int(max=2147483647):problem_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, schema=ProblemDetailSchema)
def remove_member(common_id, problem_id):
    """把问题移出共性问题"""
    common_problems.remove_member(actor=current_actor(), common_id=common_id, problem_id=problem_id)


@blp.route(f"/common-problems/{GROUP}/resolve", methods=["POST"])
@blp.arguments(CommonResolveSchema)
@blp.response(200, CommonResolveResultSchema)
@blp.alt_response(409, schema=ProblemDetailSchema, description="没有可由本专班办结的问题")
def resolve(body, common_id):
    """办结本专班承办的、归入该共性问题的所有办理中问题"""
    return common_problems.resolve(actor=current_actor(), common_id=common_id, **body)


@blp.route("/problems/<int(max=2147483647):problem_id>/similar")
@blp.arguments(SimilarQuerySchema, location="query")
@blp.response(200, SimilarSchema)
@blp.alt_response(404, schema=ProblemDetailSchema)
def similar(args, problem_id):
    """本人范围内与之相似的未结问题（带相似度）"""
    return {"items": similarity.similar(actor=current_actor(), problem_id=problem_id, **args)}
