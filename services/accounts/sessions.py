"""Sessions and tokens: revocation, the token family, logout, the idle timeout (activity written in the
background), password age."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from functools import cache
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError

from services import audit
from services.actors import Actor
from services.db import db, unit_of_work, utcnow
from services.errors import Unauthorized
from services.models import LoginFailure, Region, RevokedToken, User, UserSession
from services.timeutil import as_utc


@dataclass(frozen=True)
class CallerRegion:
    """The caller's region as a scope needs it."""

    path: str
    level: str


@dataclass(frozen=True)
class Caller:
    """The signed-in user as authentication reads it, from one row (no ORM object, nothing to expire): what
    an Actor (services.actors.Actor.for_user), the password age and a token pair need. Screens that show the
    user read the account itself (load_user)."""

    id: int
    username: str
    role: str
    region_id: int | None
    region: CallerRegion | None
    enterprise_id: int | None
    department_id: int | None
    institution_id: int | None
    password_changed_at: datetime
    tokens_valid_from: datetime | None
    kept_session: str | None


@dataclass(frozen=True)
class TokenCheck:
    """What one statement says about a token: its active user, whether the token is dead, and the last
    activity of its session as stored (for the idle timeout)."""

    user: Caller | None
    dead: bool
    session_seen_at: datetime | None = None


@cache
def _token_statement():
    """check_token's statement, built once with bound parameters and of table columns: SQLAlchemy reuses its
    cache key, compiled form and result map on every request, and the answer is a plain row."""
    users, regions, sessions = User.__table__, Region.__table__, UserSession.__table__
    revoked = select(RevokedToken.__table__.c.id).where(RevokedToken.__table__.c.jti == bindparam("b_jti")).exists()
    return (
        select(users.c.id, users.c.username, users.c.role, users.c.region_id, users.c.enterprise_id,
               users.c.department_id, users.c.institution_id, users.c.password_changed_at, users.c.is_active,
               users.c.tokens_valid_from, users.c.kept_session, regions.c.path.label("region_path"),
               regions.c.level.label("region_level"), sessions.c.sid, sessions.c.last_seen_at, sessions.c.ended_at,
               revoked.label("revoked"))
        .select_from(users.outerjoin(regions, regions.c.id == users.c.region_id)
                     .outerjoin(sessions, and_(sessions.c.sid == bindparam("b_sid"), sessions.c.user_id == users.c.id)))
        .where(users.c.id == bindparam("b_user"))
    )


def _caller(row) -> Caller:
    region = CallerRegion(row.region_path, row.region_level) if row.region_path is not None else None
    return Caller(id=row.id, username=row.username, role=row.role, region_id=row.region_id, region=region,
                  enterprise_id=row.enterprise_id, department_id=row.department_id,
                  institution_id=row.institution_id, password_changed_at=row.password_changed_at,
                  tokens_valid_from=row.tokens_valid_from, kept_session=row.kept_session)


def check_token(*, user_id: int, jti: str, session_id: str | None, issued_at: float,
                refresh: bool = False) -> TokenCheck:
    """The authentication of a request in ONE statement: the user with its region, its session named by
    the token and whether the token's jti was revoked (an EXISTS), with no cache, so a revocation or a
    logout on any process or host is seen by the very next request.

    Dead tokens: of an unknown or inactive user, issued before the user's cut-off (except the session the
    user kept across a password change), of an ended, unknown or foreign session, or revoked one by one. A
    revoked refresh token presented again is a stolen one (OAuth 2.0 Security BCP §4.14): its whole
    session — the token family — ends at once."""
    if not session_id:
        return TokenCheck(user=None, dead=True)
    # Through the session's connection: the request's transaction, a plain row without the ORM's loading.
    row = db.session.connection().execute(_token_statement(),
                                          {"b_user": user_id, "b_sid": session_id, "b_jti": jti}).first()
    if row is None or not row.is_active:
        return TokenCheck(user=None, dead=True)
    user = _caller(row)
    if row.sid is None or row.ended_at is not None:
        return TokenCheck(user=user, dead=True)
    if user.tokens_valid_from is not None and issued_at < as_utc(user.tokens_valid_from).timestamp() \
            and session_id != user.kept_session:
        return TokenCheck(user=user, dead=True)
    if row.revoked:
        if refresh:
            end_session(session_id=session_id, reason="refresh_token_reused", user_id=user.id)
        return TokenCheck(user=user, dead=True)
    return TokenCheck(user=user, dead=False, session_seen_at=as_utc(row.last_seen_at))


def load_user(user_id: int) -> User:
    """The signed-in account itself, for the screens that show it (/me, a refreshed token pair).
    Raises Unauthorized (the account is gone)."""
    user = db.session.get(User, user_id)
    if user is None:
        raise Unauthorized("账号不存在或已停用")
    return user


@unit_of_work()
def end_session(*, session_id: str, reason: str, user_id: int | None = None, actor: Actor | None = None) -> None:
    """End a session in a transaction of its own: every access and refresh token of it is refused from now."""
    db.session.execute(update(UserSession).where(UserSession.sid == session_id, UserSession.ended_at.is_(None))
                       .values(ended_at=utcnow()))
    audit.record(actor or Actor(user_id=user_id, username=None), "auth.session_ended", "user", user_id,
                 {"reason": reason})


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


@unit_of_work()
def logout(*, actor: Actor, tokens: list[tuple[str, datetime]]) -> None:
    """Sign out: the whole session ends (its refresh token too, given or not), and the tokens are revoked."""
    for jti, expires_at in tokens:
        revoke(jti=jti, user_id=actor.user_id, expires_at=expires_at)
    if actor.session_id:
        db.session.execute(update(UserSession).where(UserSession.sid == actor.session_id)
                           .values(ended_at=utcnow()))
    audit.record(actor, "auth.logout", "user", actor.user_id)


@unit_of_work()
def purge_expired_tokens() -> int:
    """Drop revocations past their token's expiry, and failure counters of unknown usernames idle for a day."""
    result = db.session.execute(delete(RevokedToken).where(RevokedToken.expires_at < utcnow()))
    db.session.execute(delete(LoginFailure).where(LoginFailure.updated_at < utcnow() - timedelta(days=1)))
    return result.rowcount or 0


@unit_of_work()
def rotate_refresh(*, actor: Actor, jti: str, expires_at: datetime) -> None:
    """Use up a refresh token (one commit with its audit row); Unauthorized when it was used before."""
    revoke(jti=jti, user_id=actor.user_id, expires_at=expires_at, strict=True)
    audit.record(actor, "auth.refresh", "user", actor.user_id)


# --- sessions: idle timeout and password age (等保 level 3) ---------------------------------------

TOUCH_EVERY = timedelta(minutes=1)


class SessionExpired(Unauthorized):
    default_detail = "长时间未操作，会话已超时，请重新登录"


def add_session(*, user_id: int, at: datetime) -> str:
    """A new signed-in session in the caller's transaction (sign_in); its id goes into every token as `sid`."""
    session_id = uuid.uuid4().hex
    db.session.add(UserSession(sid=session_id, user_id=user_id, created_at=at, last_seen_at=at))
    return session_id


class ActivityLog:
    """Sessions' latest activity, kept in memory and written by a background flush (flush_activity), so a
    request — a GET above all — never writes (on SQLite a read that upgrades to a write waits or fails)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._seen: dict[str, datetime] = {}

    def note(self, session_id: str, at: datetime) -> None:
        """Remember the latest moment a session was seen active."""
        with self._lock:
            if session_id not in self._seen or self._seen[session_id] < at:
                self._seen[session_id] = at

    def last(self, session_id: str) -> datetime | None:
        """The last moment a session was noted active, or None."""
        with self._lock:
            return self._seen.get(session_id)

    def drain(self) -> dict[str, datetime]:
        """Hand over every noted moment and start empty."""
        with self._lock:
            seen, self._seen = self._seen, {}
        return seen


activity = ActivityLog()


def touch_session(*, session_id: str | None, stored_seen_at: datetime | None, idle_minutes: int) -> None:
    """Refuse a session idle for too long (SessionExpired), from its stored last activity (read by
    check_token, no statement here) and what this process noted since; note the activity in memory, never
    in the request."""
    if not session_id or idle_minutes <= 0:
        return
    if stored_seen_at is None:
        raise SessionExpired()
    now = utcnow()
    last = max(filter(None, (stored_seen_at, activity.last(session_id))))
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
        with unit_of_work():
            db.session.execute(statement, [{"b_sid": sid, "b_at": at} for sid, at in seen.items()])
    except Exception:
        for sid, at in seen.items():  # kept for the next flush
            activity.note(sid, at)
        raise
    return len(seen)


def password_expired(user: User | Caller, max_age_days: int) -> bool:
    """Whether the user's password is older than max_age_days (0: passwords never expire)."""
    return max_age_days > 0 and as_utc(user.password_changed_at) < utcnow() - timedelta(days=max_age_days)
