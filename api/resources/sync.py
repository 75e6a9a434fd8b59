"""Offline sync for phone apps."""

from flask_smorest import Blueprint

from api.auth import current_actor
from api.schemas.sync import SyncPageSchema, SyncQuerySchema
from services import sync

blp = Blueprint("sync", __name__, url_prefix="/api/v1/sync", description="离线同步")


@blp.route("")
@blp.arguments(SyncQuerySchema, location="query")
@blp.response(200, SyncPageSchema)
def get_sync(args):
    """离线同步：自同步令牌以来本人范围内的变更（无令牌时为全量快照），分页"""
    return sync.sync(actor=current_actor(), **args)
