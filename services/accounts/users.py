"""Account administration (admin): list, create, update, unlock."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from services import audit, passwords
from services.accounts.login import check_username
from services.actors import Actor
from services.db import db, unit_of_work, utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, VersionMismatch
from services.models import Department, Enterprise, Region, User
from services.roles import Role
from services.paging import paged
from services import sorts

USER_FIELDS = ("name", "role", "region_id", "department_id", "enterprise_id", "phone", "is_active", "institution_id")


def _check_institution(role: str, institution_id) -> None:
    """对接: a user of role institution is bound to one institution; no one else is."""
    from services.models import Institution

    if role == Role.INSTITUTION and not institution_id:
        raise ValidationFailed(errors={"institution_id": ["金融机构用户必须绑定金融机构"]})
    if role != Role.INSTITUTION and institution_id:
        raise ValidationFailed(errors={"institution_id": ["只有金融机构用户可以绑定金融机构"]})
    if institution_id and db.session.get(Institution, institution_id) is None:
        raise ValidationFailed(errors={"institution_id": ["金融机构不存在"]})


def _check_binding(role: str, region_id, enterprise_id, department_id) -> None:
    errors = {}
    if role in (Role.COORDINATOR, Role.VIEWER, Role.LIAISON) and not region_id:
        errors["region_id"] = ["该角色必须指定所属区划"]
    if role == Role.ENTERPRISE and not enterprise_id:
        errors["enterprise_id"] = ["企业用户必须绑定企业"]
    if role == Role.DEPARTMENT and not department_id:
        errors["department_id"] = ["承办单位用户必须绑定部门"]
    if role != Role.ENTERPRISE and enterprise_id:
        errors["enterprise_id"] = ["只有企业用户可以绑定企业"]
    if region_id and db.session.get(Region, region_id) is None:
        errors["region_id"] = ["区划不存在"]
    if enterprise_id and db.session.get(Enterprise, enterprise_id) is None:
        errors["enterprise_id"] = ["企业不存在"]
    if department_id and db.session.get(Department, department_id) is None:
        errors["department_id"] = ["部门不存在"]
    if errors:
        raise ValidationFailed(errors=errors)


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden()


def list_users(*, actor: Actor, role: str | None = None, q: str | None = None):
    """Query of the accounts, optionally by role or a username/name fragment.
    Raises Forbidden (not an admin)."""
    _require_admin(actor)
    # Names beside ids, joined into the page's own statement (to-one): one statement whatever the page size,
    # and none of the named objects' own eager loads (an enterprise's tags, an institution's regions).
    stmt = select(User).options(*(joinedload(relation).lazyload("*") for relation in (
        User.region, User.department, User.enterprise, User.institution)))
    if role:
        stmt = stmt.where(User.role == role)
    if q:
        stmt = stmt.where(User.username.contains(q, autoescape=True) | User.name.contains(q, autoescape=True))
    return stmt


def get_user_or_raise(*, actor: Actor, user_id: int) -> User:
    """One account by id. Raises Forbidden (not an admin), NotFound (no such account)."""
    _require_admin(actor)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


@unit_of_work()
def create_user(*, actor: Actor, username: str, password: str, name: str, role: str, region_id=None,
                department_id=None, enterprise_id=None, phone=None, institution_id=None) -> User:
    """Create an account bound to its region, enterprise, department or institution as its role needs.
    Raises Forbidden (not an admin), ValidationFailed (bad username, weak password, missing or unknown
    binding), Conflict (username taken)."""
    _require_admin(actor)
    username = check_username(username)
    reason = passwords.policy_violation(password)
    if reason:
        raise ValidationFailed(reason, field="password")
    _check_binding(role, region_id, enterprise_id, department_id)
    _check_institution(role, institution_id)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Conflict("用户名已存在", errors={"username": ["用户名已存在"]})
    user = User(username=username, name=name, role=role, region_id=region_id, department_id=department_id,
                enterprise_id=enterprise_id, phone=phone, password_hash=passwords.hash_password(password),
                institution_id=institution_id)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", "user", user.id, {"username": username, "role": role})
    return user


@unit_of_work()
def update_user(*, actor: Actor, user_id: int, expected_version: int, changes: dict) -> User:
    """Change an account; a new password, deactivation or a new role or region ends its sessions.
    Raises Forbidden (not an admin), NotFound (no such account), VersionMismatch (stale),
    ValidationFailed (missing or unknown binding, weak password)."""
    user = get_user_or_raise(actor=actor, user_id=user_id)
    if user.version != expected_version:
        raise VersionMismatch()
    password = changes.pop("password", None)
    merged = {f: changes.get(f, getattr(user, f)) for f in ("role", "region_id", "enterprise_id", "department_id")}
    _check_binding(merged["role"], merged["region_id"], merged["enterprise_id"], merged["department_id"])
    _check_institution(merged["role"], changes.get("institution_id", user.institution_id))
    for key, value in changes.items():
        setattr(user, key, value)
    if password is not None:
        reason = passwords.policy_violation(password)
        if reason:
            raise ValidationFailed(reason, field="password")
        user.password_hash = passwords.hash_password(password)
        user.password_changed_at = utcnow()
        user.tokens_valid_from = utcnow()
        user.kept_session = None
    if changes.get("is_active") is False or "role" in changes or "region_id" in changes:
        user.tokens_valid_from = utcnow()
        user.kept_session = None
    audit.record(actor, "user.updated", "user", user.id, {"fields": sorted([*changes, *(["password"] if password else [])])})
    return user


@unit_of_work()
def unlock_user(*, actor: Actor, user_id: int) -> User:
    """Lift an account's lockout and reset its failure count. Raises Forbidden (not an admin), NotFound."""
    user = get_user_or_raise(actor=actor, user_id=user_id)
    user.locked_until = None
    user.failed_logins = 0
    audit.record(actor, "user.unlocked", "user", user.id)
    return user


def user_page(*, actor: Actor, **args) -> dict:
    """One page of accounts (list_users' filters plus limit, cursor, count, sort). Raises Forbidden, ValidationFailed."""
    return paged(list_users, sorts.USERS, actor=actor, **args)
