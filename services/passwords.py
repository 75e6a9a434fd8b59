"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def configure(*, time_cost: int, memory_cost: int) -> None:
    """Set the argon2id cost (time and memory) from the app's configuration."""
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)


def hash_password(password: str) -> str:
    """The argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the hash (a malformed hash: no)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY = None


def burn_time(password: str) -> None:
    """Verify against a dummy hash so unknown usernames take as long as known ones."""
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = _hasher.hash("dummy-password-for-timing")
    verify_password(_DUMMY, password)


def policy_violation(password: str) -> str | None:
    """None if the password is strong enough, else the reason (Chinese)."""
    if len(password) < 8:
        return "密码至少 8 位"
    if len(password) > 128:
        return "密码不能超过 128 位"
    classes = sum(bool(re.search(p, password)) for p in (r"[A-Z]", r"[a-z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if classes < 3:
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类"
    return None
