"""The caller's inbox."""

from flask_smorest import Blueprint

from api import sorts
from api.auth import current_actor
from api.pagination import paginate, split_paging
from api.schemas.problems import MarkReadSchema, NotificationPageSchema, NotificationQuerySchema
from services import notifications

blp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications", description="消息通知")


@blp.route("")
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, NotificationPageSchema)
def list_notifications(args):
    """本人的消息（最新在前）及未读数"""
    actor = current_actor()
    filters, paging = split_paging(args)
    page = paginate(notifications.list_notifications(actor=actor, **filters), sorts=sorts.NOTIFICATIONS, **paging)
    return {**page, "unread_count": notifications.unread_count(actor=actor)}


@blp.route("/read", methods=["POST"])
@blp.arguments(MarkReadSchema)
@blp.response(204)
def mark_read(body):
    """标记消息已读：{ids} 或 {all: true}"""
    notifications.mark_read(actor=current_actor(), ids=body.get("ids"), all_=bool(body.get("all")))
