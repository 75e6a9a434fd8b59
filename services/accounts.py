"""Login, lockout, token revocation, password changes and user administration."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from services import audit, passwords
from services.actors import Actor
from services.db import db, utcnow
from services.errors import (
    AccountLocked, Conflict, Forbidden, InvalidCredentials, MfaRequired, NotFound, Unauthorized, ValidationFailed,
    VersionMismatch,
)
from services.models import Department, Enterprise, Region, RevokedToken, User, UserSession

MAX_FAILURES = 5
LOCK_MINUTES = 15


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def authenticate(*, username: str, password: str, otp: str | None, ip: str | None, request_id: str | None,
                 mfa_roles: frozenset[str] = frozenset(), verify_otp=None) -> User:
    """The user whose credentials these are; failures are counted and audited even though they raise."""
    user = db.session.scalar(select(User).where(User.username == username))
    now = utcnow()
    probe = Actor(user_id=user.id if user else None, username=username, ip=ip, request_id=request_id)
    if user is None or not user.is_active:
        passwords.burn_time(password)
        audit.record(probe, "auth.login_failed", "user", user.id if user else None, {"reason": "unknown_user"})
        db.session.commit()
        raise InvalidCredentials()
    if user.locked_until and _aware(user.locked_until) > now:
        audit.record(probe, "auth.login_locked", "user", user.id)
        db.session.commit()
        raise AccountLocked(extra={"locked_until": _aware(user.locked_until)})
    if not passwords.verify_password(user.password_hash, password):
        user.failed_logins += 1
        action = "auth.login_failed"
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
            action = "auth.account_locked"
        audit.record(probe, action, "user", user.id, {"reason": "bad_password"})
        db.session.commit()
        if action == "auth.account_locked":
            raise AccountLocked(extra={"locked_until": _aware(user.locked_until)})
        raise InvalidCredentials()
    # A not-yet-enrolled account of an MFA role signs in once to enrol (POST /me/mfa).
    if user.role in mfa_roles and user.mfa_enabled:
        if not otp or verify_otp is None or not verify_otp(user.mfa_secret, otp):
            audit.record(probe, "auth.mfa_failed", "user", user.id)
            db.session.commit()
            raise MfaRequired()
    user.failed_logins = 0
    user.locked_until = None
    user.last_seen_at = now
    audit.record(probe, "auth.login", "user", user.id)
    db.session.commit()
    return user


def load_user(user_id: int) -> User | None:
    # The region comes along: every scoped request needs its path.
    user = db.session.get(User, user_id, options=[joinedload(User.region)])
    if user is None or not user.is_active:
        return None
    return user


def token_is_revoked(*, jti: str, user: User | None, issued_at: float, session_id: str | None) -> bool:
    if user is None:
        return True
    if user.tokens_valid_from is not None:
        valid_from = _aware(user.tokens_valid_from).timestamp()
        if issued_at < valid_from and not (session_id and session_id == user.kept_session):
            return True
    return db.session.scalar(select(RevokedToken.id).where(RevokedToken.jti == jti)) is not None


def revoke(*, jti: str, user_id: int | None, expires_at: datetime, actor: Actor | None = None,
           strict: bool = False) -> None:
    """Revoke one token. strict: raise Unauthorized when it was already revoked (refresh reuse)."""
    if db.session.scalar(select(RevokedToken.id).where(RevokedToken.jti == jti)) is not None:
        if strict:
            raise Unauthorized("刷新令牌已使用或已注销")
        return
    db.session.add(RevokedToken(jti=jti, user_id=user_id, expires_at=expires_at))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        if strict:
            raise Unauthorized("刷新令牌已使用或已注销") from None


def logout(*, actor: Actor, tokens: list[tuple[str, datetime]]) -> None:
    for jti, expires_at in tokens:
        revoke(jti=jti, user_id=actor.user_id, expires_at=expires_at)
    audit.record(actor, "auth.logout", "user", actor.user_id)
    db.session.commit()


def purge_expired_tokens() -> int:
    result = db.session.execute(delete(RevokedToken).where(RevokedToken.expires_at < utcnow()))
    db.session.commit()
    return result.rowcount or 0


def change_password(*, actor: Actor, old_password: str, new_password: str, history_size: int = 5) -> None:
    user = db.session.get(User, actor.user_id)
    if user is None:
        raise Unauthorized()
    if not passwords.verify_password(user.password_hash, old_password):
        raise ValidationFailed("原密码不正确", field="old_password")
    reason = passwords.policy_violation(new_password)
    if reason:
        raise ValidationFailed(reason, field="new_password")
    previous = [user.password_hash, *(user.password_history or [])][:history_size]
    if any(passwords.verify_password(h, new_password) for h in previous):
        raise ValidationFailed(f"新密码不能与最近 {history_size} 次使用过的密码相同", field="new_password")
    user.password_history = previous
    user.password_hash = passwords.hash_password(new_password)
    now = utcnow()
    user.password_changed_at = now
    # Every other session dies; the caller's own session stays signed in.
    user.tokens_valid_from = now
    user.kept_session = actor.session_id
    audit.record(actor, "user.password_changed", "user", user.id)
    db.session.commit()


# --- administration -------------------------------------------------------------------------

USER_FIELDS = ("name", "role", "region_id", "department_id", "enterprise_id", "phone", "is_active")


def _check_binding(role: str, region_id, enterprise_id, department_id) -> None:
    errors = {}
    if role in ("coordinator", "viewer", "liaison") and not region_id:
        errors["region_id"] = ["该角色必须指定所属区划"]
    if role == "enterprise" and not enterprise_id:
        errors["enterprise_id"] = ["企业用户必须绑定企业"]
    if role != "enterprise" and enterprise_id:
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
    _require_admin(actor)
    # Names beside ids, one IN query per relationship for the whole page.
    stmt = select(User).options(selectinload(User.region), selectinload(User.department),
                                selectinload(User.enterprise))
    if role:
        stmt = stmt.where(User.role == role)
    if q:
        stmt = stmt.where(User.username.contains(q, autoescape=True) | User.name.contains(q, autoescape=True))
    return stmt


def get_user_or_raise(*, actor: Actor, user_id: int) -> User:
    _require_admin(actor)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def create_user(*, actor: Actor, username: str, password: str, name: str, role: str, region_id=None,
                department_id=None, enterprise_id=None, phone=None) -> User:
    _require_admin(actor)
    reason = passwords.policy_violation(password)
    if reason:
        raise ValidationFailed(reason, field="password")
    _check_binding(role, region_id, enterprise_id, department_id)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Conflict("用户名已存在", errors={"username": ["用户名已存在"]})
    user = User(username=username, name=name, role=role, region_id=region_id, department_id=department_id,
                enterprise_id=enterprise_id, phone=phone, password_hash=passwords.hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", "user", user.id, {"username": username, "role": role})
    db.session.commit()
    return user


def update_user(*, actor: Actor, user_id: int, expected_version: int, changes: dict) -> User:
    user = get_user_or_raise(actor=actor, user_id=user_id)
    if user.version != expected_version:
        raise VersionMismatch()
    password = changes.pop("password", None)
    merged = {f: changes.get(f, getattr(user, f)) for f in ("role", "region_id", "enterprise_id", "department_id")}
    _check_binding(merged["role"], merged["region_id"], merged["enterprise_id"], merged["department_id"])
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
    db.session.commit()
    return user


def unlock_user(*, actor: Actor, user_id: int) -> User:
    user = get_user_or_raise(actor=actor, user_id=user_id)
    user.locked_until = None
    user.failed_logins = 0
    audit.record(actor, "user.unlocked", "user", user.id)
    db.session.commit()
    return user


def commit_refresh(*, actor: Actor) -> None:
    audit.record(actor, "auth.refresh", "user", actor.user_id)
    db.session.commit()


# --- sessions: idle timeout and password age (等保 level 3) ---------------------------------------

TOUCH_EVERY = timedelta(minutes=1)


class SessionExpired(Unauthorized):
    default_detail = "长时间未操作，会话已超时，请重新登录"


class PasswordExpired(Forbidden):
    code = "password_expired"
    default_detail = "密码已超过有效期，请先修改密码"


def open_session(*, user_id: int) -> str:
    """A new signed-in session (at login); its id goes into every token of the session as `sid`."""
    session_id = uuid.uuid4().hex
    db.session.add(UserSession(sid=session_id, user_id=user_id, created_at=utcnow(), last_seen_at=utcnow()))
    db.session.commit()
    return session_id


def touch_session(*, user_id: int, session_id: str | None, idle_minutes: int) -> None:
    """Refuse a session idle for too long; note activity at most once a minute (then commit)."""
    if not session_id or idle_minutes <= 0:
        return
    now = utcnow()
    session = db.session.get(UserSession, session_id)
    if session is None or session.user_id != user_id:
        raise SessionExpired()
    if _aware(session.last_seen_at) < now - timedelta(minutes=idle_minutes):
        raise SessionExpired()
    if _aware(session.last_seen_at) < now - TOUCH_EVERY:
        session.last_seen_at = now
        db.session.commit()


def password_expired(user: User, max_age_days: int) -> bool:
    return max_age_days > 0 and _aware(user.password_changed_at) < utcnow() - timedelta(days=max_age_days)
