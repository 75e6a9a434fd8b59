"""The one-time feedback link: the enterprise's contact rates a resolution without an account."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import anonymous_actor
from api.extensions import address_key, limiter
from api.schemas.common import ProblemDetailSchema
from api.schemas.feedback_links import FeedbackLinkAnswerSchema, FeedbackLinkResultSchema, FeedbackLinkViewSchema
from services.delivery import answers, links

blp = Blueprint("feedback_links", __name__, url_prefix="/api/v1/public", description="一次性评价链接")


def _public_limit():
    return current_app.config["PUBLIC_RATE_LIMIT"]


@blp.route("/feedback/<string(maxlength=64):token>")
class FeedbackLink(MethodView):
    decorators = [limiter.limit(_public_limit, key_func=address_key)]

    @blp.response(200, FeedbackLinkViewSchema)
    @blp.alt_response(404, schema=ProblemDetailSchema, description="链接无效")
    @blp.alt_response(410, schema=ProblemDetailSchema, description="链接已使用（link_used）或已过期（link_expired）")
    @blp.alt_response(429, schema=ProblemDetailSchema)
    @blp.doc(security=[])
    def get(self, token):
        """一次性评价链接：查看问题及办理结果（无需登录）"""
        return links.view(token=token)

    @blp.arguments(FeedbackLinkAnswerSchema)
    @blp.response(200, FeedbackLinkResultSchema)
    @blp.alt_response(404, schema=ProblemDetailSchema, description="链接无效")
    @blp.alt_response(410, schema=ProblemDetailSchema, description="链接已使用（link_used）或已过期（link_expired）")
    @blp.alt_response(429, schema=ProblemDetailSchema)
    @blp.doc(security=[])
    def post(self, body, token):
        """一次性评价链接：评价满意、基本满意或不满意（不满意须说明原因），只能提交一次"""
        return answers.answer(token=token, client=anonymous_actor(), **body)
