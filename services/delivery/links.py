"""Signed one-time feedback links: the enterprise's contact rates a resolution without an account.

A token is `<id in base 36>.<22 characters>`: the characters are a truncated HMAC-SHA256 of the id and
the row's random nonce under a key derived from the server's secret, so a token cannot be guessed or
altered (404), and the row says whether it was used (410 link_used) or expired (410 link_expired).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from services.db import db, utcnow
from services.delivery.settings import settings
from services.errors import LinkExpired, LinkUsed, NotFound
from services.models import Enterprise, FeedbackLink, Problem
from services.timeutil import as_utc


def _signature(link_id: int, nonce: str) -> str:
    digest = hmac.new(settings.link_key, f"{link_id}.{nonce}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_for(link: FeedbackLink) -> str:
    """The link's token: its id in base 36 and the signature."""
    return f"{_base36(link.id)}.{_signature(link.id, link.nonce)}"


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def url_for(link: FeedbackLink) -> str:
    """The web client's address of the link's page."""
    return settings.link(f"/app/feedback/{token_for(link)}")


def issue(problem: Problem, *, phone: str | None, now: datetime | None = None) -> FeedbackLink:
    """A new link for a resolved problem, valid FEEDBACK_LINK_DAYS (15) days. No commit."""
    now = now or utcnow()
    link = FeedbackLink(problem_id=problem.id, nonce=secrets.token_hex(16), phone=phone, created_at=now,
                        expires_at=now + timedelta(days=settings.feedback_link_days))
    db.session.add(link)
    db.session.flush()
    return link


def load(token: str, *, lock: bool = False, now: datetime) -> FeedbackLink:
    """The link a token names, usable now. Raises NotFound (not ours or altered), LinkUsed, LinkExpired."""
    head, _, signature = token.partition(".")
    try:
        link_id = int(head, 36) if head and len(head) <= 7 else 0
    except ValueError:
        link_id = 0
    stmt = select(FeedbackLink).where(FeedbackLink.id == link_id)
    link = db.session.scalar(stmt.with_for_update() if lock else stmt) if 0 < link_id < 2**31 else None
    expected = _signature(link.id, link.nonce) if link is not None else _signature(0, "")
    if link is None or not hmac.compare_digest(expected, signature):
        raise NotFound("链接无效")
    if link.used_at is not None:
        raise LinkUsed()
    if as_utc(link.expires_at) <= now:
        raise LinkExpired("该链接已过期（有效期 15 天），请联系联络员或登录联企通评价")
    return link


def open_problem(link: FeedbackLink) -> Problem:
    """The link's problem, still waiting for its verdict. Raises LinkUsed (answered or moved on)."""
    problem = db.session.get(Problem, link.problem_id)
    if problem is None or problem.status != "resolved":
        raise LinkUsed("该问题已评价或已不在待评价状态，链接已失效")
    return problem


def view(*, token: str, now: datetime | None = None) -> dict:
    """What the link's page shows: the problem and its resolution. Raises as load and open_problem."""
    link = load(token, now=now or utcnow())
    problem = open_problem(link)
    enterprise = db.session.get(Enterprise, problem.enterprise_id)
    return {"number": problem.number, "enterprise_name": enterprise.name, "title": problem.title,
            "resolution": problem.resolution, "resolved_at": problem.resolved_at, "expires_at": link.expires_at}

