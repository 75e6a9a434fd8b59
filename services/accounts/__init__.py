"""Accounts: sign-in and the lockout (login), sessions and tokens (sessions), administration (users)."""

from services.accounts.login import (
    LOCK_MINUTES, MAX_FAILURES, begin_mfa_enrolment, canonical_username, change_password, check_username, sign_in,
)
from services.accounts.sessions import (
    TOUCH_EVERY, ActivityLog, Caller, SessionExpired, TokenCheck, activity, add_session, check_token, end_session,
    flush_activity, load_user, logout, password_expired, purge_expired_tokens, revoke, rotate_refresh, touch_session,
)
from services.accounts.users import (
    USER_FIELDS, create_user, get_user_or_raise, list_users, unlock_user, update_user, user_page,
)

__all__ = [
    "LOCK_MINUTES", "MAX_FAILURES", "TOUCH_EVERY", "USER_FIELDS", "ActivityLog", "SessionExpired", "TokenCheck",
    "Caller", "activity", "check_token", "load_user",
    "add_session", "begin_mfa_enrolment", "canonical_username", "change_password", "check_username",
    "rotate_refresh", "create_user", "end_session", "flush_activity", "get_user_or_raise", "list_users", "user_page",
    "logout", "password_expired", "purge_expired_tokens", "revoke", "sign_in", "touch_session",
    "unlock_user", "update_user",
]
