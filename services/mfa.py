"""TOTP second factor (RFC 6238): enrolment through a one-time code issued out of band, each code used once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp

from services import audit
from services.actors import Actor
from services.db import db, unit_of_work, utcnow
from services.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from services.models import User
from services.timeutil import as_utc

STEP_SECONDS = 30
WINDOW = 1  # one step either side, for phones whose clock drifts


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def accept_code(user: User, code: str, now: datetime | None = None) -> bool:
    """True for a current code of the user's secret whose time step is newer than the last one accepted
    (RFC 6238 §5.2); remembers that step. A replayed code is refused."""
    if not user.mfa_secret or not code:
        return False
    totp = pyotp.TOTP(user.mfa_secret)
    current = int((now or utcnow()).timestamp()) // STEP_SECONDS
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code) and step > (user.mfa_last_step or -1):
            user.mfa_last_step = step
            return True
    return False


def enrolment_pending(user: User, now: datetime) -> bool:
    return bool(user.mfa_enrolment_hash and user.mfa_enrolment_expires_at and as_utc(user.mfa_enrolment_expires_at) > now)


def enrolment_code_matches(user: User, code: str, now: datetime) -> bool:
    return enrolment_pending(user, now) and hmac.compare_digest(user.mfa_enrolment_hash, _digest(code))


def new_pending_secret(user: User) -> str:
    """A fresh secret, in use once a first code from it is accepted (activate)."""
    user.mfa_secret = pyotp.random_base32()
    user.mfa_last_step = None
    return user.mfa_secret


def activate(user: User) -> None:
    user.mfa_enabled = True
    user.mfa_enrolment_hash = None
    user.mfa_enrolment_expires_at = None


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.mfa_secret).provisioning_uri(name=user.username, issuer_name="联企通")


@unit_of_work()
def issue_enrolment_code(*, actor: Actor | None, user_id: int, valid_hours: int = 24) -> dict:
    """A one-time enrolment code for an account (admin, or the `flask mfa-enrolment` command when actor is
    None): the account's holder binds an authenticator with it and their password. Replaces any earlier code;
    an enrolled factor is reset (a lost phone), so the account must bind again before it signs in."""
    if actor is not None and not actor.is_admin:
        raise Forbidden()
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    code = "-".join(secrets.token_hex(2).upper() for _ in range(4))
    user.mfa_enrolment_hash = _digest(code)
    expires_at = utcnow() + timedelta(hours=valid_hours)
    user.mfa_enrolment_expires_at = expires_at
    user.mfa_enabled = False
    user.mfa_secret = None
    user.mfa_last_step = None
    audit.record(actor or Actor(user_id=None, username="cli"), "user.mfa_enrolment_issued", "user", user.id,
                 {"expires_at": expires_at.isoformat()})
    return {"user_id": user.id, "enrolment_code": code, "expires_at": expires_at}


@unit_of_work()
def enrol(*, actor: Actor) -> dict:
    """Self-service enrolment by a signed-in user whose role does not require a second factor."""
    user = db.session.get(User, actor.user_id)
    if user is None:
        raise Unauthorized()
    if user.mfa_enabled:
        raise Conflict("已启用动态验证码；如需更换请先解除")
    new_pending_secret(user)
    activate(user)
    audit.record(actor, "user.mfa_enrolled", "user", user.id)
    return {"secret": user.mfa_secret, "otpauth_uri": provisioning_uri(user)}


@unit_of_work()
def remove(*, actor: Actor, otp: str, required_roles: frozenset[str] = frozenset()) -> None:
    user = db.session.get(User, actor.user_id)
    if user is None:
        raise Unauthorized()
    if not user.mfa_enabled:
        raise Conflict("尚未启用动态验证码")
    if user.role in required_roles:
        raise Conflict("该角色必须启用动态验证码，不能解除")
    if not accept_code(user, otp):
        raise ValidationFailed("动态验证码错误或已使用", field="otp")
    user.mfa_enabled = False
    user.mfa_secret = None
    user.mfa_last_step = None
    audit.record(actor, "user.mfa_removed", "user", user.id)
