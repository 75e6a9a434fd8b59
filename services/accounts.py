"""Login, lockout, token revocation, password changes and user administration."""

from __future__ import annotations

import re
import threading
import unicodedata
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from services import audit, mfa, passwords
from services.actors import Actor
from services.db import db, insert_or_ignore, utcnow
from services.errors import (
    AccountLocked, Conflict, Forbidden, InvalidCredentials, MfaEnrolmentRequired, MfaRequired, NotFound, ServiceError,
    Unauthorized, ValidationFailed, VersionMismatch,
)
from services.models import Department, Enterprise, LoginFailure, Region, RevokedToken, User, UserSession

MAX_FAILURES = 5
LOCK_MINUTES = 15


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,31}$")


def canonical_username(raw: str) -> str:
    """The form a username is stored and compared in: NFKC-normalised and case-folded (ａｄｍｉｎ, Admin → admin)."""
    return unicodedata.normalize("NFKC", raw).casefold().strip()


def check_username(raw: str) -> str:
    """The canonical username, or ValidationFailed when it has characters outside [a-z0-9_.-]."""
    name = canonical_username(raw)
    if not USERNAME.match(name):
        raise ValidationFailed("用户名须为 3–32 位小写字母、数字或 _ . -，以字母或数字开头", field="username")
    return name


def _counter(user: User | None, username: str):
    """Where failed sign-ins are counted: the account, or a row for a username without one."""
    if user is not None and user.is_active:
        return user
    key = username[:64]  # NFKC can lengthen a name
    insert_or_ignore(LoginFailure, username=key, failed_logins=0, updated_at=utcnow())
    return db.session.get(LoginFailure, key, with_for_update=True, populate_existing=True)


def _refuse_if_locked(counter, probe: Actor, user_id: int | None, now: datetime) -> None:
    if counter.locked_until and _aware(counter.locked_until) > now:
        audit.record(probe, "auth.login_locked", "user", user_id)
        db.session.commit()
        raise AccountLocked(extra={"locked_until": _aware(counter.locked_until)})


def _count_failure(counter, probe: Actor, user_id: int | None, reason: str, now: datetime, *,
                   error: ServiceError | None = None) -> None:
    """One more failure (password, second factor or enrolment code): lock at MAX_FAILURES, then raise."""
    counter.failed_logins = (counter.failed_logins or 0) + 1
    action = "auth.login_failed"
    if counter.failed_logins >= MAX_FAILURES:
        counter.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        counter.failed_logins = 0
        action = "auth.account_locked"
    if isinstance(counter, LoginFailure):
        counter.updated_at = now
    audit.record(probe, action, "user", user_id, {"reason": reason})
    db.session.commit()
    if action == "auth.account_locked":
        raise AccountLocked(extra={"locked_until": _aware(counter.locked_until)})
    raise error or InvalidCredentials()


def _check_password(*, username: str, password: str, ip: str | None, request_id: str | None) -> tuple[User, Actor]:
    """The account these credentials open. Unknown and known usernames answer alike: the same codes in the
    same order (401 until the fifth failure, then 423), one password hash computed either way."""
    name = canonical_username(username)
    user = db.session.scalar(select(User).where(User.username == name))
    known = user is not None and user.is_active
    now = utcnow()
    probe = Actor(user_id=user.id if user else None, username=name, ip=ip, request_id=request_id)
    counter = _counter(user, name)
    _refuse_if_locked(counter, probe, probe.user_id, now)
    if not known:
        passwords.burn_time(password)
        _count_failure(counter, probe, probe.user_id, "unknown_user", now)
    if not passwords.verify_password(user.password_hash, password):
        _count_failure(counter, probe, user.id, "bad_password", now)
    return user, probe


def authenticate(*, username: str, password: str, otp: str | None, ip: str | None, request_id: str | None,
                 mfa_roles: frozenset[str] = frozenset()) -> User:
    """The user whose credentials these are; failures are counted and audited even though they raise.

    Raises InvalidCredentials, AccountLocked, MfaRequired (a code is needed or was wrong) and
    MfaEnrolmentRequired (the role needs a second factor that the account has not enrolled)."""
    user, probe = _check_password(username=username, password=password, ip=ip, request_id=request_id)
    now = utcnow()
    if user.mfa_enabled or user.role in mfa_roles:
        if not user.mfa_enabled and not mfa.enrolment_pending(user, now):
            audit.record(probe, "auth.mfa_enrolment_required", "user", user.id)
            db.session.commit()
            raise MfaEnrolmentRequired()
        if not otp:
            raise MfaRequired()
        if not mfa.accept_code(user, otp, now):
            _count_failure(user, probe, user.id, "bad_otp", now, error=MfaRequired("动态验证码错误或已使用"))
        if not user.mfa_enabled:
            mfa.activate(user)
            audit.record(probe, "user.mfa_enrolled", "user", user.id)
    user.failed_logins = 0
    user.locked_until = None
    user.last_seen_at = now
    audit.record(probe, "auth.login", "user", user.id)
    db.session.commit()
    return user


def begin_mfa_enrolment(*, username: str, password: str, enrolment_code: str, ip: str | None,
                        request_id: str | None) -> dict:
    """Step 1 of enrolment with a code an admin issued: a new secret for the authenticator app.
    The account uses it from its first sign-in with a valid code (step 2, POST /auth/login with otp).
    A wrong code counts toward the lockout like a wrong password."""
    user, probe = _check_password(username=username, password=password, ip=ip, request_id=request_id)
    now = utcnow()
    if user.mfa_enabled:
        raise Conflict("已启用动态验证码")
    if not mfa.enrolment_code_matches(user, enrolment_code, now):
        _count_failure(user, probe, user.id, "bad_enrolment_code", now,
                       error=Unauthorized("绑定码无效或已过期，请联系管理员重新签发"))
    secret = mfa.new_pending_secret(user)
    audit.record(probe, "user.mfa_enrolment_started", "user", user.id)
    db.session.commit()
    return {"secret": secret, "otpauth_uri": mfa.provisioning_uri(user)}


def load_user(user_id: int) -> User | None:
    # The region comes along: every scoped request needs its path.
    user = db.session.get(User, user_id, options=[joinedload(User.region)])
    if user is None or not user.is_active:
        return None
    return user


def token_is_revoked(*, jti: str, user: User | None, issued_at: float, session_id: str | None,
                     refresh: bool = False) -> bool:
    """Dead tokens: of an unknown or inactive user, issued before the user's cut-off, of an ended or unknown
    session, or revoked one by one. A revoked refresh token presented again is a stolen one (OAuth 2.0
    Security BCP §4.14): its whole session — the token family — ends at once."""
    if user is None or not session_id:
        return True
    if user.tokens_valid_from is not None:
        valid_from = _aware(user.tokens_valid_from).timestamp()
        if issued_at < valid_from and not (session_id and session_id == user.kept_session):
            return True
    session = db.session.get(UserSession, session_id)
    if session is None or session.user_id != user.id or session.ended_at is not None:
        return True
    if db.session.scalar(select(RevokedToken.id).where(RevokedToken.jti == jti)) is None:
        return False
    if refresh:
        end_session(session_id=session_id, reason="refresh_token_reused", user_id=user.id)
    return True


def end_session(*, session_id: str, reason: str, user_id: int | None = None, actor: Actor | None = None) -> None:
    """End a session in a transaction of its own: every access and refresh token of it is refused from now."""
    db.session.execute(update(UserSession).where(UserSession.sid == session_id, UserSession.ended_at.is_(None))
                       .values(ended_at=utcnow()))
    audit.record(actor or Actor(user_id=user_id, username=None), "auth.session_ended", "user", user_id,
                 {"reason": reason})
    db.session.commit()


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
    """Sign out: the whole session ends (its refresh token too, given or not), and the tokens are revoked."""
    for jti, expires_at in tokens:
        revoke(jti=jti, user_id=actor.user_id, expires_at=expires_at)
    if actor.session_id:
        db.session.execute(update(UserSession).where(UserSession.sid == actor.session_id)
                           .values(ended_at=utcnow()))
    audit.record(actor, "auth.logout", "user", actor.user_id)
    db.session.commit()


def purge_expired_tokens() -> int:
    """Drop revocations past their token's expiry, and failure counters of unknown usernames idle for a day."""
    result = db.session.execute(delete(RevokedToken).where(RevokedToken.expires_at < utcnow()))
    db.session.execute(delete(LoginFailure).where(LoginFailure.updated_at < utcnow() - timedelta(days=1)))
    db.session.commit()
    return result.rowcount or 0


def change_password(*, actor: Actor, old_password: str, new_password: str, history_size: int = 5) -> None:
    user = db.session.get(User, actor.user_id)
    if user is None:
        raise Unauthorized()
    if not passwords.verify_password(user.password_hash, old_password):
        # Counted like a failed sign-in: a stolen session cannot guess the password for ever.
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = utcnow() + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
            user.tokens_valid_from, user.kept_session = utcnow(), None  # every session ends
            audit.record(actor, "auth.account_locked", "user", user.id, {"reason": "bad_old_password"})
            db.session.commit()
            raise AccountLocked("原密码连续错误，账号已锁定并退出所有会话", extra={"locked_until": user.locked_until})
        audit.record(actor, "user.password_change_failed", "user", user.id)
        db.session.commit()
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
    username = check_username(username)
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


class ActivityLog:
    """Sessions' latest activity, kept in memory and written by a background flush (flush_activity), so a
    request — a GET above all — never writes (on SQLite a read that upgrades to a write waits or fails)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._seen: dict[str, datetime] = {}

    def note(self, session_id: str, at: datetime) -> None:
        with self._lock:
            if session_id not in self._seen or self._seen[session_id] < at:
                self._seen[session_id] = at

    def last(self, session_id: str) -> datetime | None:
        with self._lock:
            return self._seen.get(session_id)

    def drain(self) -> dict[str, datetime]:
        with self._lock:
            seen, self._seen = self._seen, {}
        return seen


activity = ActivityLog()


def touch_session(*, user_id: int, session_id: str | None, idle_minutes: int) -> None:
    """Refuse a session idle for too long (SessionExpired); note its activity in memory, never in the request."""
    if not session_id or idle_minutes <= 0:
        return
    now = utcnow()
    session = db.session.get(UserSession, session_id)
    if session is None or session.user_id != user_id:
        raise SessionExpired()
    last = max(filter(None, (_aware(session.last_seen_at), activity.last(session_id))))
    if last < now - timedelta(minutes=idle_minutes):
        raise SessionExpired()
    if last < now - TOUCH_EVERY:
        activity.note(session_id, now)


def flush_activity() -> int:
    """Write the noted session activity in one short transaction of its own: how many sessions."""
    seen = activity.drain()
    if not seen:
        return 0
    table = UserSession.__table__
    statement = (update(table).where(table.c.sid == bindparam("b_sid"), table.c.last_seen_at < bindparam("b_at"))
                 .values(last_seen_at=bindparam("b_at")))
    try:
        db.session.execute(statement, [{"b_sid": sid, "b_at": at} for sid, at in seen.items()])
        db.session.commit()
    except Exception:
        db.session.rollback()
        for sid, at in seen.items():  # kept for the next flush
            activity.note(sid, at)
        raise
    return len(seen)


def password_expired(user: User, max_age_days: int) -> bool:
    return max_age_days > 0 and _aware(user.password_changed_at) < utcnow() - timedelta(days=max_age_days)
