"""Message templates per event type (admins edit the wording; the defaults come back with DELETE)."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_actor
from api.schemas.common import ProblemDetailSchema
from api.schemas.delivery import TemplateListSchema, TemplateSchema
from services.delivery import templates

blp = Blueprint("message_templates", __name__, url_prefix="/api/v1/message-templates", description="消息模板")


@blp.route("")
@blp.response(200, TemplateListSchema)
@blp.alt_response(403, schema=ProblemDetailSchema, description="仅管理员")
def list_templates():
    """List every event type's message template and the placeholders they may use (admin)"""
    return {"items": templates.list_templates(actor=current_actor()), "placeholders": list(templates.PLACEHOLDERS)}


@blp.route("/<string(maxlength=48):kind>")
class TemplateItem(MethodView):
    @blp.arguments(TemplateSchema)
    @blp.response(200, TemplateSchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    @blp.alt_response(404, schema=ProblemDetailSchema)
    def put(self, body, kind):
        """Set an event type's wording; the SMS must fit one 70-character message (admin)"""
        return templates.update_template(actor=current_actor(), kind=kind, **body)

    @blp.response(200, TemplateSchema)
    @blp.alt_response(403, schema=ProblemDetailSchema)
    @blp.alt_response(404, schema=ProblemDetailSchema)
    def delete(self, kind):
        """Go back to an event type's default wording (admin)"""
        return templates.reset_template(actor=current_actor(), kind=kind)
