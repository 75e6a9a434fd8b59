"""The caller's inbox."""

from flask_smorest import Blueprint

from api.auth import current_actor
from api.schemas.notifications import MarkReadSchema, NotificationPageSchema, NotificationQuerySchema
from services import notifications

blp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications", description="消息通知")


@blp.route("")
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, NotificationPageSchema)
def list_notifications(args):
    """本人的消息（最新在前）及未读数"""
    return notifications.notification_page(actor=current_actor(), **args)


@blp.route("/read", methods=["POST"])
@blp.arguments(MarkReadSchema)
@blp.response(204)
def mark_read(body):
    """标记消息已读：{ids} 或 {all: true}"""
    notifications.mark_read(actor=current_actor(), ids=body.get("ids"), all_=bool(body.get("all")))
