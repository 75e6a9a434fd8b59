"""The audit log (read-only)."""

import marshmallow as ma
from flask_smorest import Blueprint

from api import sorts
from api.auth import current_actor
from api.pagination import ListArgsSchema, page_schema, paginate, split_paging
from api.schemas.base import BaseSchema, LocalDateTime
from services import audit

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="审计日志")


class AuditQuerySchema(ListArgsSchema):
    actor_id = ma.fields.Integer(data_key="actor", validate=ma.validate.Range(min=1, max=2_147_483_647))
    object_type = ma.fields.String(validate=ma.validate.Length(max=32))
    object_id = ma.fields.String(validate=ma.validate.Length(max=64))
    action = ma.fields.String(validate=ma.validate.Length(max=64))
    from_ = LocalDateTime(data_key="from")
    to = LocalDateTime()
    sort = sorts.AUDIT.field()


class AuditEntrySchema(BaseSchema):
    id = ma.fields.Integer()
    seq = ma.fields.Integer()
    at = LocalDateTime()
    actor_id = ma.fields.Integer(allow_none=True)
    actor_username = ma.fields.String(allow_none=True)
    action = ma.fields.String()
    object_type = ma.fields.String(allow_none=True)
    object_id = ma.fields.String(allow_none=True)
    ip = ma.fields.String(allow_none=True)
    request_id = ma.fields.String(allow_none=True)
    data = ma.fields.Dict()
    prev_hash = ma.fields.String()
    hash = ma.fields.String()


@blp.route("")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, page_schema(AuditEntrySchema))
def list_audit(args):
    """审计日志列表（最新在前）"""
    filters, paging = split_paging(args)
    return paginate(audit.query(actor=current_actor(), **filters), sorts=sorts.AUDIT, **paging)
