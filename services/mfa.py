"""TOTP second factor (RFC 6238)."""

from __future__ import annotations

import pyotp

from services import audit
from services.actors import Actor
from services.db import db
from services.errors import Conflict, Unauthorized, ValidationFailed
from services.models import User


def verify(secret: str | None, code: str) -> bool:
    if not secret or not code:
        return False
    return pyotp.TOTP(secret).verify(code, valid_window=1)


def enrol(*, actor: Actor) -> dict:
    user = db.session.get(User, actor.user_id)
    if user is None:
        raise Unauthorized()
    if user.mfa_enabled:
        raise Conflict("已启用动态验证码；如需更换请先解除")
    user.mfa_secret = pyotp.random_base32()
    user.mfa_enabled = True
    audit.record(actor, "user.mfa_enrolled", "user", user.id)
    db.session.commit()
    uri = pyotp.TOTP(user.mfa_secret).provisioning_uri(name=user.username, issuer_name="联企通")
    return {"secret": user.mfa_secret, "otpauth_uri": uri}


def remove(*, actor: Actor, otp: str) -> None:
    user = db.session.get(User, actor.user_id)
    if user is None:
        raise Unauthorized()
    if not user.mfa_enabled:
        raise Conflict("尚未启用动态验证码")
    if not verify(user.mfa_secret, otp):
        raise ValidationFailed("动态验证码错误", field="otp")
    user.mfa_enabled = False
    user.mfa_secret = None
    audit.record(actor, "user.mfa_removed", "user", user.id)
    db.session.commit()
