"""The caller's own channels and addresses, and quiet hours."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_actor
from api.concurrency import required_if_match, set_etag
from api.schemas.common import ProblemDetailSchema
from api.schemas.delivery import ChannelsSchema
from services.delivery import addresses

blp = Blueprint("channels", __name__, url_prefix="/api/v1/me", description="消息接收渠道")


@blp.route("/channels")
class Channels(MethodView):
    @blp.response(200, ChannelsSchema)
    @blp.alt_response(304, description="未修改（If-None-Match）")
    def get(self):
        """Read the caller's channels (SMS phone, 企业微信 and 钉钉 userids) and quiet hours"""
        view = addresses.get_channels(actor=current_actor())
        set_etag(view.version)
        return view

    @blp.arguments(ChannelsSchema)
    @blp.response(200, ChannelsSchema)
    @blp.alt_response(412, schema=ProblemDetailSchema)
    @blp.alt_response(428, schema=ProblemDetailSchema)
    def put(self, body):
        """Set the caller's channels and quiet hours (If-Match; "0" before the first save)"""
        view = addresses.set_channels(actor=current_actor(), changes=body, expected_version=required_if_match())
        set_etag(view.version)
        return view
