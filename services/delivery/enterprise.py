"""The enterprise is told at each step that concerns it: in its users' inbox and channels, and by SMS to its
contact phone when it has no account (the resolve SMS carries a one-time feedback link)."""

from __future__ import annotations

from datetime import datetime

from services import notifications
from services.actors import Actor
from services.db import db
from services.delivery import links, outbox
from services.delivery.settings import settings
from services.models import Enterprise, Problem
from services.roles import Role

# action → the message kind the enterprise gets; the workflow already tells its users of the last three.
STEPS = {"accept": "enterprise.accepted", "escalate": "enterprise.escalated", "close": "enterprise.closed",
         "request_info": "problem.info_requested", "resolve": "problem.resolved", "reject": "problem.rejected"}
TOLD_BY_THE_WORKFLOW = {"request_info", "resolve", "reject"}
TITLES = {"enterprise.accepted": "诉求已受理", "enterprise.escalated": "诉求已上报上级专班",
          "enterprise.closed": "诉求已销号"}


def _step(problem: Problem, action: str) -> str | None:
    if action == "feedback":
        return "enterprise.closed" if problem.status == "closed" else None
    return STEPS.get(action)


def tell(problem: Problem, action: str, *, actor: Actor, now: datetime) -> None:
    """Called by the workflow after every action, in its transaction."""
    kind = _step(problem, action)
    if kind is None or (actor.role == Role.ENTERPRISE and actor.enterprise_id == problem.enterprise_id):
        return  # the enterprise needs no message about its own act
    users = notifications.enterprise_users(problem.enterprise_id)
    if action not in TOLD_BY_THE_WORKFLOW:
        notifications.notify(users, kind=kind, title=f"{TITLES[kind]}：{problem.title}", body=problem.number,
                             object_type="problem", object_id=problem.id, exclude=actor.user_id)
    if users or not settings.enabled("sms"):
        return
    enterprise = db.session.get(Enterprise, problem.enterprise_id)
    if not enterprise.contact_phone:
        return
    context = outbox.context_for("problem", problem.id)
    if kind == "problem.resolved":
        context["link"] = links.url_for(links.issue(problem, phone=enterprise.contact_phone, now=now))
    outbox.enqueue_sms(enterprise.contact_phone, kind=kind, context=context, object_type="problem",
                       object_id=problem.id, now=now)
