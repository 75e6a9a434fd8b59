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

from services import audit
from services.actors import Actor
from services.db import db, unit_of_work, utcnow
from services.delivery.settings import settings
from services.errors import LinkExpired, LinkUsed, NotFound
from services.models import Enterprise, FeedbackLink, Problem
from services.problems import commands
from services.roles import Role
from services.timeutil import as_utc


def _signature(link_id: int, nonce: str) -> str:
    digest = hmac.new(settings.link_key, f"{link_id}.{nonce}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_for(link: FeedbackLink) -> str:
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
    return settings.link(f"/app/feedback/{token_for(link)}")


def issue(problem: Problem, *, phone: str | None, now: datetime | None = None) -> FeedbackLink:
    """A new link for a resolved problem, valid FEEDBACK_LINK_DAYS (15) days. No commit."""
    now = now or utcnow()
    link = FeedbackLink(problem_id=problem.id, nonce=secrets.token_hex(16), phone=phone, created_at=now,
                        expires_at=now + timedelta(days=settings.feedback_link_days))
    db.session.add(link)
    db.session.flush()
    return link


def _load(token: str, *, lock: bool = False, now: datetime) -> FeedbackLink:
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


def _open_problem(link: FeedbackLink) -> Problem:
    problem = db.session.get(Problem, link.problem_id)
    if problem is None or problem.status != "resolved":
        raise LinkUsed("该问题已评价或已不在待评价状态，链接已失效")
    return problem


def view(*, token: str, now: datetime | None = None) -> dict:
    link = _load(token, now=now or utcnow())
    problem = _open_problem(link)
    enterprise = db.session.get(Enterprise, problem.enterprise_id)
    return {"number": problem.number, "enterprise_name": enterprise.name, "title": problem.title,
            "resolution": problem.resolution, "resolved_at": problem.resolved_at, "expires_at": link.expires_at}


@unit_of_work()
def answer(*, token: str, rating: str, comment: str | None = None, client: Actor,
           now: datetime | None = None) -> dict:
    """Record the verdict as the enterprise's feedback (method "link") and use the link up, in one
    transaction: the row lock makes a second, concurrent answer wait and then see it used."""
    now = now or utcnow()
    link = _load(token, lock=True, now=now)
    problem = _open_problem(link)
    actor = Actor(user_id=None, username=f"feedback-link:{link.id}", role=Role.ENTERPRISE,
                  enterprise_id=problem.enterprise_id, ip=client.ip, request_id=client.request_id)
    problem = commands.apply_action(actor=actor, problem_id=problem.id, action="feedback",
                                    payload={"rating": rating, "comment": comment, "method": "link"}, now=now)
    link.used_at, link.rating = now, rating
    audit.record(actor, "feedback_link.used", "problem", problem.id, {"link_id": link.id, "rating": rating})
    return {"number": problem.number, "status": problem.status, "rating": rating}
