"""Sign-in: canonical usernames, the lockout (alike for unknown usernames), the second factor at login,
password changes."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import select

from services import audit, mfa, passwords
from services.accounts.sessions import add_session
from services.actors import Actor
from services.db import db, insert_or_ignore, unit_of_work, utcnow
from services.errors import (
    AccountLocked,
    Conflict,
    InvalidCredentials,
    MfaEnrolmentRequired,
    MfaRequired,
    ServiceError,
    Unauthorized,
    ValidationFailed,
)
from services.models import LoginFailure, User
from services.timeutil import as_utc

MAX_FAILURES = 5
LOCK_MINUTES = 15


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
    if counter.locked_until and as_utc(counter.locked_until) > now:
        with unit_of_work():
            audit.record(probe, "auth.login_locked", "user", user_id)
        raise AccountLocked(extra={"locked_until": as_utc(counter.locked_until)})


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
    with unit_of_work():  # counted and audited although the sign-in fails
        audit.record(probe, action, "user", user_id, {"reason": reason})
    if action == "auth.account_locked":
        raise AccountLocked(extra={"locked_until": as_utc(counter.locked_until)})
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


@unit_of_work()
def sign_in(*, username: str, password: str, otp: str | None, ip: str | None, request_id: str | None,
            mfa_roles: frozenset[str] = frozenset()) -> tuple[User, str]:
    """The user whose credentials these are and the id of the session opened for them, in one commit; failures
    are counted and audited even though they raise.

    Raises InvalidCredentials, AccountLocked, MfaRequired (a code is needed or was wrong) and
    MfaEnrolmentRequired (the role needs a second factor that the account has not enrolled)."""
    user, probe = _check_password(username=username, password=password, ip=ip, request_id=request_id)
    now = utcnow()
    if user.mfa_enabled or user.role in mfa_roles:
        if not user.mfa_enabled and not mfa.enrolment_pending(user, now):
            with unit_of_work():
                audit.record(probe, "auth.mfa_enrolment_required", "user", user.id)
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
    session_id = add_session(user_id=user.id, at=now)
    audit.record(probe, "auth.login", "user", user.id)
    return user, session_id


@unit_of_work()
def begin_mfa_enrolment(*, username: str, password: str, enrolment_code: str, ip: str | None,
                        request_id: str | None) -> dict:
    """Step 1 of enrolment with a code an admin issued: a new secret for the authenticator app.
    The account uses it from its first sign-in with a valid code (step 2, POST /auth/login with otp).
    A wrong code counts toward the lockout like a wrong password.
    Raises InvalidCredentials (wrong username or password), AccountLocked (locked, or the fifth failure),
    Conflict (already enrolled), Unauthorized (wrong or expired enrolment code)."""
    user, probe = _check_password(username=username, password=password, ip=ip, request_id=request_id)
    now = utcnow()
    if user.mfa_enabled:
        raise Conflict("已启用动态验证码")
    if not mfa.enrolment_code_matches(user, enrolment_code, now):
        _count_failure(user, probe, user.id, "bad_enrolment_code", now,
                       error=Unauthorized("绑定码无效或已过期，请联系管理员重新签发"))
    secret = mfa.new_pending_secret(user)
    audit.record(probe, "user.mfa_enrolment_started", "user", user.id)
    return {"secret": secret, "otpauth_uri": mfa.provisioning_uri(user)}


@unit_of_work()
def change_password(*, actor: Actor, old_password: str, new_password: str, history_size: int = 5) -> None:
    """Change the caller's own password; every other session ends, the caller's stays signed in.
    Raises Unauthorized (account gone), AccountLocked (fifth wrong old password: all sessions end),
    ValidationFailed (wrong old password, weak or recently used new password)."""
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
            with unit_of_work():
                audit.record(actor, "auth.account_locked", "user", user.id, {"reason": "bad_old_password"})
            raise AccountLocked("原密码连续错误，账号已锁定并退出所有会话", extra={"locked_until": user.locked_until})
        with unit_of_work():
            audit.record(actor, "user.password_change_failed", "user", user.id)
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
