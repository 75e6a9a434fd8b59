"""Liveness and readiness probes."""

from flask_smorest import Blueprint
from sqlalchemy import text

from api.errors import problem
from api.schemas.common import ProblemDetailSchema
from api.schemas.health import ReadySchema, StatusSchema
from services import delivery
from services.db import db

blp = Blueprint("health", __name__, description="健康检查")


@blp.route("/healthz")
@blp.response(200, StatusSchema)
@blp.doc(security=[])
def healthz():
    """存活检查（不访问数据库）"""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.response(200, ReadySchema)
@blp.alt_response(503, schema=ProblemDetailSchema, description="数据库不可用")
@blp.doc(security=[])
def readyz():
    """就绪检查：数据库是否可用，并给出发送队列各状态的消息数"""
    try:
        db.session.execute(text("SELECT 1"))
        outbox = delivery.health()
        db.session.rollback()
    except Exception:  # noqa: BLE001 - any failure means not ready
        db.session.rollback()
        return problem(503, "service_unavailable", "数据库不可用", headers={"Retry-After": "5"})
    return {"status": "ready", "outbox": outbox}
