"""The outbox for admins: messages by state, dead letters and their retry."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_actor
from api.pagination import page_schema
from api.schemas.common import ProblemDetailSchema
from api.schemas.outbox import OutboxCountsSchema, OutboxMessageSchema, OutboxQuerySchema
from services import delivery

blp = Blueprint("outbox", __name__, url_prefix="/api/v1/outbox", description="消息发送队列")


@blp.route("")
@blp.arguments(OutboxQuerySchema, location="query")
@blp.response(200, page_schema(OutboxMessageSchema))
@blp.alt_response(403, schema=ProblemDetailSchema, description="仅管理员")
def list_outbox(args):
    """发送队列：按状态（待发送、发送中、已送达、发送失败）列出消息，新的在前（管理员）"""
    return delivery.outbox_page(actor=current_actor(), **args)


@blp.route("/counts")
@blp.response(200, OutboxCountsSchema)
@blp.alt_response(403, schema=ProblemDetailSchema, description="仅管理员")
def outbox_counts():
    """发送队列各状态的消息数（管理员）"""
    return delivery.outbox.counts_for(actor=current_actor())


@blp.route("/<int(max=2147483647):message_id>")
class OutboxItem(MethodView):
    @blp.response(200, OutboxMessageSchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    def get(self, message_id):
        """查看一条待发或已发消息（管理员）"""
        return delivery.get_message_or_raise(actor=current_actor(), message_id=message_id)


@blp.route("/<int(max=2147483647):message_id>/retry", methods=["POST"])
@blp.response(200, OutboxMessageSchema)
@blp.alt_response(403, schema=ProblemDetailSchema)
@blp.alt_response(409, schema=ProblemDetailSchema, description="只有发送失败的消息可以重发")
def retry(message_id):
    """重发一条发送失败的消息（管理员）"""
    return delivery.retry(actor=current_actor(), message_id=message_id)
