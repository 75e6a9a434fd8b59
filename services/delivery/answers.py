"""Answering a one-time feedback link: the verdict becomes the enterprise's feedback on the problem.

Apart from links.py (issuing and checking tokens), so that telling the enterprise (which issues links from
inside a workflow action) does not import the workflow back."""

from __future__ import annotations

from datetime import datetime

from services import audit
from services.actors import Actor
from services.db import unit_of_work, utcnow
from services.delivery import links
from services.problems import commands
from services.roles import Role


@unit_of_work()
def answer(*, token: str, rating: str, comment: str | None = None, client: Actor,
           now: datetime | None = None) -> dict:
    """Record the verdict as the enterprise's feedback (method "link") and use the link up, in one
    transaction: the row lock makes a second, concurrent answer wait and then see it used. Raises NotFound,
    LinkUsed, LinkExpired (the link), ValidationFailed (不满意 without a reason)."""
    now = now or utcnow()
    link = links.load(token, lock=True, now=now)
    problem = links.open_problem(link)
    actor = Actor(user_id=None, username=f"feedback-link:{link.id}", role=Role.ENTERPRISE,
                  enterprise_id=problem.enterprise_id, ip=client.ip, request_id=client.request_id)
    problem = commands.apply_action(actor=actor, problem_id=problem.id, action="feedback",
                                    payload={"rating": rating, "comment": comment, "method": "link"}, now=now)
    link.used_at, link.rating = now, rating
    audit.record(actor, "feedback_link.used", "problem", problem.id, {"link_id": link.id, "rating": rating})
    return {"number": problem.number, "status": problem.status, "rating": rating}
