"""Market entities: listing in scope, creation, edits with history, contact masking."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, exists, or_, select

from services import audit, monitoring
from services.actors import (
    Actor, assigned_enterprise_ids, department_signed_enterprise_ids, enterprise_clause, enterprise_read_clause,
    region_in_scope, sees_full_contact, within_region,
)
from services.roles import Role
from services.permissions import may_administer, may_edit_field_facts
from services.credit_code import is_valid as credit_code_is_valid
from services.db import db, unit_of_work
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, VersionMismatch
from services.filters import one_of, where_one_of
from services.models import Enterprise, EnterpriseChange, EnterpriseTag, Region
from services.paging import paged
from services import sorts
from services.problems import scope

# Fields the enterprise itself or its liaison may correct; the rest are the task force's.
FIELD_WORK_FIELDS = frozenset({"address", "latitude", "longitude", "contact_name", "contact_phone",
                               "operating_status", "employees"})
HISTORY_FIELDS = ("operating_status", "employees")


def with_contact_visibility(actor: Actor, enterprises):
    """Mark which enterprises the actor may see unmasked contacts of; masked is the default."""
    full = sees_full_contact(actor)
    signed = department_signed_enterprise_ids(actor) if actor.role == Role.DEPARTMENT else set()
    for enterprise in enterprises:
        enterprise.reveal_contact = full or enterprise.id in signed
    return enterprises


def list_enterprises(*, actor: Actor, q: str | None = None, region: int | None = None,
                     industry: str | list[str] | None = None, tag: str | list[str] | None = None,
                     operating_status: str | list[str] | None = None, scale: str | list[str] | None = None,
                     assigned_to_me: bool = False) -> Select:
    """Query of the enterprises in the actor's scope, filtered by text, region, industry, tag, status…."""
    stmt = select(Enterprise).where(enterprise_read_clause(actor))
    if q:
        stmt = stmt.where(or_(Enterprise.name.contains(q, autoescape=True), Enterprise.credit_code == q.upper()))
    if region is not None:
        root = db.session.get(Region, region)
        if root is None:
            return stmt.where(False)
        stmt = stmt.where(within_region(Enterprise.region_id, root.path))
    stmt = where_one_of(stmt, Enterprise.industry, industry)
    stmt = where_one_of(stmt, Enterprise.scale, scale)
    if tag:
        stmt = stmt.where(exists().where(EnterpriseTag.enterprise_id == Enterprise.id, one_of(EnterpriseTag.tag, tag)))
    stmt = where_one_of(stmt, Enterprise.operating_status, operating_status)
    if assigned_to_me:
        stmt = stmt.where(Enterprise.id.in_(assigned_enterprise_ids(actor)))
    return stmt


def get_enterprise(*, actor: Actor, enterprise_id: int) -> Enterprise | None:
    """One enterprise in the actor's scope, its contact shown as the actor may see it; None out of scope."""
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.id == enterprise_id,
                                                            enterprise_read_clause(actor)))
    if enterprise is not None:
        with_contact_visibility(actor, [enterprise])
    return enterprise


def get_enterprise_or_raise(*, actor: Actor, enterprise_id: int) -> Enterprise:
    """One enterprise in the actor's scope, as get_enterprise. Raises NotFound (out of scope)."""
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
    """Replace an enterprise's tags, recording each added and removed tag in its history."""
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
    """Register an enterprise in a county of the actor's scope.
    Raises Forbidden (neither admin nor coordinator), NotFound (region out of scope), ValidationFailed (not
    a county, bad credit code), Conflict (credit code taken)."""
    if not may_administer(actor):
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
    return with_contact_visibility(actor, [enterprise])[0]


@unit_of_work()
def update_enterprise(*, actor: Actor, enterprise_id: int, expected_version: int, changes: dict) -> Enterprise:
    """Change an enterprise (field staff: only the field-work facts), keeping history of tracked fields.
    Raises NotFound (out of scope), Forbidden (not theirs to edit, or a field beyond their reach),
    VersionMismatch (stale), ValidationFailed (not a county, bad credit code or dates), Conflict (credit code
    taken)."""
    enterprise = get_enterprise_or_raise(actor=actor, enterprise_id=enterprise_id)
    if may_administer(actor):
        allowed = None
    elif may_edit_field_facts(actor, enterprise.id):
        allowed = FIELD_WORK_FIELDS
    else:
        raise Forbidden("无权修改该企业信息")
    if allowed is not None and set(changes) - allowed:
        fields = sorted(set(changes) - allowed)
        raise Forbidden("无权修改这些字段：" + "、".join(fields), errors={f: ["无权修改"] for f in fields})
    if enterprise.version != expected_version:
        raise VersionMismatch()
    moved_to = None
    if "region_id" in changes:
        moved_to = _check_region(actor, changes["region_id"])
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
    if moved_to is not None:
        scope.follow_enterprise(enterprise.id, moved_to)
    if "deregistered_on" in changes or "registered_on" in changes:
        _check_dates(enterprise.registered_on, enterprise.deregistered_on)
    monitoring.on_enterprise_observed(enterprise)
    audit.record(actor, "enterprise.updated", "enterprise", enterprise.id,
                 {"fields": sorted([*changes, *observed, *(["tags"] if tags is not None else [])])})
    return with_contact_visibility(actor, [enterprise])[0]


def _check_dates(registered: date | None, deregistered: date | None) -> None:
    if registered and deregistered and deregistered < registered:
        raise ValidationFailed("注销日期不能早于登记日期", field="deregistered_on")


def history(*, actor: Actor, enterprise_id: int) -> Select:
    """Query of an enterprise's recorded changes. Raises NotFound (out of scope)."""
    if db.session.scalar(select(Enterprise.id).where(Enterprise.id == enterprise_id, enterprise_clause(actor))) is None:
        raise NotFound("企业不存在")
    return select(EnterpriseChange).where(EnterpriseChange.enterprise_id == enterprise_id)


def enterprise_page(*, actor: Actor, **args) -> dict:
    """One page of enterprises in scope, contacts shown as the caller may see them. Raises ValidationFailed."""
    page = paged(list_enterprises, sorts.ENTERPRISES, actor=actor, **args)
    with_contact_visibility(actor, page["items"])
    return page


def history_page(*, actor: Actor, enterprise_id: int, **paging) -> dict:
    """One page of an enterprise's recorded changes, newest first. Raises NotFound (out of scope)."""
    return paged(history, None, actor=actor, enterprise_id=enterprise_id, **paging)
