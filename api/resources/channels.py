"""The caller's own channels and addresses, and quiet hours."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_actor
from api.concurrency import required_if_match, set_etag
from api.schemas.channels import ChannelsSchema
from api.schemas.common import ProblemDetailSchema
from services.delivery import addresses

blp = Blueprint("channels", __name__, url_prefix="/api/v1/me", description="消息接收渠道")


@blp.route("/channels")
class Channels(MethodView):
    @blp.response(200, ChannelsSchema)
    @blp.alt_response(304, description="未修改（If-None-Match）")
    def get(self):
        """查看本人的消息接收渠道（短信手机号、企业微信与钉钉账号）和免打扰设置"""
        view = addresses.get_channels(actor=current_actor())
        set_etag(view.version)
        return view

    @blp.arguments(ChannelsSchema)
    @blp.response(200, ChannelsSchema)
    @blp.alt_response(412, schema=ProblemDetailSchema)
    @blp.alt_response(428, schema=ProblemDetailSchema)
    def put(self, body):
        """设置本人的消息接收渠道和免打扰（需 If-Match；首次保存前为 "0"）"""
        view = addresses.set_channels(actor=current_actor(), changes=body, expected_version=required_if_match())
        set_etag(view.version)
        return view
