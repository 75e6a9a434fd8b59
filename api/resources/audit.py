"""The audit log (read-only)."""

from flask_smorest import Blueprint

from api.auth import current_actor
from api.pagination import page_schema
from api.schemas.audit import AuditEntrySchema, AuditQuerySchema
from services import audit

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="审计日志")


@blp.route("")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, page_schema(AuditEntrySchema))
def list_audit(args):
    """审计日志列表（最新在前）"""
    return audit.audit_page(actor=current_actor(), **args)
