"""Market entities: listing in scope, creation, edits with history, contact masking."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, exists, or_, select

from services import audit, monitoring
from services.actors import (
    Actor, assigned_enterprise_ids, enterprise_clause, is_assigned_liaison, region_in_scope, sees_full_contact,
    subtree_region_ids,
)
from services.credit_code import is_valid as credit_code_is_valid
from services.db import db, unit_of_work
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, VersionMismatch
from services.filters import one_of, where_one_of
from services.models import Enterprise, EnterpriseChange, EnterpriseTag, Region
from services.roles import Role

# Fields the enterprise itself or its liaison may correct; the rest are the task force's.
FIELD_WORK_FIELDS = frozenset({"address", "latitude", "longitude", "contact_name", "contact_phone",
                               "operating_status", "employees"})
HISTORY_FIELDS = ("operating_status", "employees")


def reveal(actor: Actor, enterprises):
    """Mark which enterprises the actor may see unmasked contacts of; masked is the default."""
    full = sees_full_contact(actor)
    for enterprise in enterprises:
        enterprise.reveal_contact = full
    return enterprises


def list_enterprises(*, actor: Actor, q: str | None = None, region: int | None = None,
                     industry: str | list[str] | None = None, tag: str | list[str] | None = None,
                     operating_status: str | list[str] | None = None, scale: str | list[str] | None = None,
                     assigned_to_me: bool = False) -> Select:
    stmt = select(Enterprise).where(enterprise_clause(actor))
    if q:
        stmt = stmt.where(or_(Enterprise.name.contains(q, autoescape=True), Enterprise.credit_code == q.upper()))
    if region is not None:
        root = db.session.get(Region, region)
        if root is None:
            return stmt.where(False)
        stmt = stmt.where(Enterprise.region_id.in_(subtree_region_ids(root.path)))
    stmt = where_one_of(stmt, Enterprise.industry, industry)
    stmt = where_one_of(stmt, Enterprise.scale, scale)
    if tag:
        stmt = stmt.where(exists().where(EnterpriseTag.enterprise_id == Enterprise.id, one_of(EnterpriseTag.tag, tag)))
    stmt = where_one_of(stmt, Enterprise.operating_status, operating_status)
    if assigned_to_me:
        stmt = stmt.where(Enterprise.id.in_(assigned_enterprise_ids(actor)))
    return stmt


def get_enterprise(*, actor: Actor, enterprise_id: int) -> Enterprise | None:
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.id == enterprise_id, enterprise_clause(actor)))
    if enterprise is not None:
        reveal(actor, [enterprise])
    return enterprise


def get_enterprise_or_raise(*, actor: Actor, enterprise_id: int) -> Enterprise:
    enterprise = get_enterprise(actor=actor, enterprise_id=enterprise_id)
    if enterprise is None:
        raise NotFound("企业不存在")
    return enterprise


def _check_region(actor: Actor, region_id: int) -> Region:
    region = db.session.get(Region, region_id)
    if region is None or not region_in_scope(actor, region):
        raise NotFound("区划不存在", errors={"region_id": ["区划不存在"]})
    if region.level != "county":
        raise ValidationFailed("企业须归属县级区划", field="region_id")
    return region


def _check_credit_code(code: str, *, exclude_id: int | None = None) -> None:
    if not credit_code_is_valid(code):
        raise ValidationFailed("统一社会信用代码无效（校验位不符）", field="credit_code")
    stmt = select(Enterprise.id).where(Enterprise.credit_code == code)
    if exclude_id is not None:
        stmt = stmt.where(Enterprise.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise Conflict("统一社会信用代码已存在", errors={"credit_code": ["统一社会信用代码已存在"]})


def _record_change(enterprise: Enterprise, field: str, old, new, actor: Actor, source: str) -> None:
    if old == new:
        return
    db.session.add(EnterpriseChange(
        enterprise_id=enterprise.id, field=field, old_value=None if old is None else str(old),
        new_value=None if new is None else str(new), actor_id=actor.user_id, source=source,
    ))


def set_tags(enterprise: Enterprise, tags: list[str], actor: Actor, source: str = "edit") -> None:
    old, new = set(enterprise.tags), set(tags)
    for tag in sorted(new - old):
        enterprise.tag_rows.append(EnterpriseTag(tag=tag))
        _record_change(enterprise, f"tag:{tag}", None, "added", actor, source)
    for row in [r for r in enterprise.tag_rows if r.tag in old - new]:
        enterprise.tag_rows.remove(row)
        _record_change(enterprise, f"tag:{row.tag}", "added", None, actor, source)


def observe(enterprise: Enterprise, *, actor: Actor, source: str, operating_status: str | None = None,
            employees: int | None = None) -> dict:
    """Apply an observed operating status / headcount, keeping history. Returns what changed."""
    changed = {}
    if operating_status is not None and operating_status != enterprise.operating_status:
        _record_change(enterprise, "operating_status", enterprise.operating_status, operating_status, actor, source)
        changed["operating_status"] = (enterprise.operating_status, operating_status)
        enterprise.operating_status = operating_status
    if employees is not None and employees != enterprise.employees:
        _record_change(enterprise, "employees", enterprise.employees, employees, actor, source)
        changed["employees"] = (enterprise.employees, employees)
        enterprise.employees = employees
    return changed


@unit_of_work()
def create_enterprise(*, actor: Actor, tags: list[str] | None = None, **fields) -> Enterprise:
    if not (actor.is_admin or actor.role == Role.COORDINATOR):
        raise Forbidden("只有管理员或专班协调员可以登记企业")
    _check_region(actor, fields["region_id"])
    fields["credit_code"] = fields["credit_code"].upper()
    _check_credit_code(fields["credit_code"])
    enterprise = Enterprise(**fields)
    db.session.add(enterprise)
    db.session.flush()
    set_tags(enterprise, tags or [], actor, source="create")
    audit.record(actor, "enterprise.created", "enterprise", enterprise.id,
                 {"name": enterprise.name, "credit_code": enterprise.credit_code})
    return reveal(actor, [enterprise])[0]


@unit_of_work()
def update_enterprise(*, actor: Actor, enterprise_id: int, expected_version: int, changes: dict) -> Enterprise:
    enterprise = get_enterprise_or_raise(actor=actor, enterprise_id=enterprise_id)
    if actor.is_admin or actor.role == Role.COORDINATOR:
        allowed = None
    elif actor.role == Role.ENTERPRISE or is_assigned_liaison(actor, enterprise.id):
        allowed = FIELD_WORK_FIELDS
    else:
        raise Forbidden("无权修改该企业信息")
    if allowed is not None and set(changes) - allowed:
        fields = sorted(set(changes) - allowed)
        raise Forbidden("无权修改这些字段：" + "、".join(fields), errors={f: ["无权修改"] for f in fields})
    if enterprise.version != expected_version:
        raise VersionMismatch()
    if "region_id" in changes:
        _check_region(actor, changes["region_id"])
        # Kept as history: offline clients of the old region learn from it that the enterprise left.
        _record_change(enterprise, "region_id", enterprise.region_id, changes["region_id"], actor, "edit")
    if "credit_code" in changes:
        changes["credit_code"] = changes["credit_code"].upper()
        _check_credit_code(changes["credit_code"], exclude_id=enterprise.id)
    tags = changes.pop("tags", None)
    observed = {k: changes.pop(k) for k in HISTORY_FIELDS if k in changes}
    observe(enterprise, actor=actor, source="edit", **observed)
    if tags is not None:
        set_tags(enterprise, tags, actor)
    for key, value in changes.items():
        setattr(enterprise, key, value)
    if "deregistered_on" in changes or "registered_on" in changes:
        _check_dates(enterprise.registered_on, enterprise.deregistered_on)
    monitoring.on_enterprise_observed(enterprise)
    audit.record(actor, "enterprise.updated", "enterprise", enterprise.id,
                 {"fields": sorted([*changes, *observed, *(["tags"] if tags is not None else [])])})
    return reveal(actor, [enterprise])[0]


def _check_dates(registered: date | None, deregistered: date | None) -> None:
    if registered and deregistered and deregistered < registered:
        raise ValidationFailed("注销日期不能早于登记日期", field="deregistered_on")


def history(*, actor: Actor, enterprise_id: int) -> Select:
    get_enterprise_or_raise(actor=actor, enterprise_id=enterprise_id)
    return select(EnterpriseChange).where(EnterpriseChange.enterprise_id == enterprise_id)
