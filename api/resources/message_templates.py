"""Message templates per event type (admins edit the wording; the defaults come back with DELETE)."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_actor
from api.schemas.common import ProblemDetailSchema
from api.schemas.message_templates import TemplateListSchema, TemplateSchema
from services.delivery import templates

blp = Blueprint("message_templates", __name__, url_prefix="/api/v1/message-templates", description="消息模板")


@blp.route("")
@blp.response(200, TemplateListSchema)
@blp.alt_response(403, schema=ProblemDetailSchema, description="仅管理员")
def list_templates():
    """列出各类事件的消息模板及可用占位符（管理员）"""
    return {"items": templates.list_templates(actor=current_actor()), "placeholders": list(templates.PLACEHOLDERS)}


@blp.route("/<string(maxlength=48):kind>")
class TemplateItem(MethodView):
    @blp.arguments(TemplateSchema)
    @blp.response(200, TemplateSchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    @blp.alt_response(404, schema=ProblemDetailSchema)
    def put(self, body, kind):
        """修改一类事件的消息模板，短信须在一条 70 字之内（管理员）"""
        return templates.update_template(actor=current_actor(), kind=kind, **body)

    @blp.response(200, TemplateSchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    @blp.alt_response(404, schema=ProblemDetailSchema)
    def delete(self, kind):
        """恢复一类事件的默认消息模板（管理员）"""
        return templates.reset_template(actor=current_actor(), kind=kind)
