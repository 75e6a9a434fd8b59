"""派驻 / 包抓 assignments."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_actor
from api.pagination import page_schema
from api.schemas.assignments import AssignmentCreateSchema, AssignmentEndSchema, AssignmentQuerySchema, AssignmentSchema
from services import assignments

blp = Blueprint("assignments", __name__, url_prefix="/api/v1/assignments", description="派驻联络员与包抓领导")


@blp.route("")
class Assignments(MethodView):
    @blp.arguments(AssignmentQuerySchema, location="query")
    @blp.response(200, page_schema(AssignmentSchema))
    def get(self, args):
        """范围内的包抓/联络分工列表（联络员只看本人），含历史"""
        return assignments.assignment_page(actor=current_actor(), **args)

    @blp.arguments(AssignmentCreateSchema)
    @blp.response(201, AssignmentSchema)
    def post(self, body):
        """Assign a liaison (or a 包抓 leader) to an enterprise"""
        return assignments.create_assignment(actor=current_actor(), **body)


@blp.route("/<int(max=2147483647):assignment_id>/end", methods=["POST"])
@blp.arguments(AssignmentEndSchema)
@blp.response(200, AssignmentSchema)
def end(body, assignment_id):
    """结束一项包抓/联络分工（保留历史）"""
    return assignments.end_assignment(actor=current_actor(), assignment_id=assignment_id, **body)
