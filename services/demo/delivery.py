"""Demo step 70: users' channels, and the outbox as a deployment would show it — messages sent, one
waiting, dead letters — with a one-time feedback link for an enterprise that has no account."""

import uuid
from datetime import timedelta

from sqlalchemy import select

from services.actors import Actor
from services.db import db, utcnow
from services.delivery import links, outbox, templates
from services.models import Enterprise, OutboxMessage, Problem, UserChannels
from services.problems.commands import apply_action, file_problem

STEP_ORDER = 70

CHANNELS = {
    "liaison_ma": {"sms": "13909300101", "wecom": "MaXiaoming", "quiet_hours": True},
    "liaison_li": {"sms": "13909300102", "dingtalk": "li-hua-kl", "quiet_hours": False},
    "lxx_coord": {"wecom": "LxxZhuanban01", "dingtalk": "lxx-coord", "quiet_hours": True},
    "ent_qhy": {"sms": "13809301234", "quiet_hours": True},
}


def _row(*, kind, channel, recipient, problem, user=None, state, at, attempts=1, error=None, text=None):
    context = outbox.context_for("problem", problem.id)
    template = templates.DEFAULTS[kind]
    body = text or (templates.sms_text(template.sms, context) if channel == "sms"
                    else templates.render(template.text, {**context, "title": f"{template.name}：{problem.title}"}))
    return OutboxMessage(
        message_id=uuid.uuid4().hex, kind=kind, channel=channel, recipient=recipient, text=body,
        link=context["link"], user_id=user.id if user else None, params={"number": problem.number},
        object_type="problem", object_id=problem.id, urgent=problem.urgency == "urgent", state=state,
        attempts=attempts, next_attempt_at=at, created_at=at, last_error=error,
        sent_at=at + timedelta(seconds=2) if state == "sent" else None,
        dead_at=at + timedelta(hours=1, minutes=2) if state == "dead" else None)


def run(ctx: dict) -> None:
    users = ctx["users"]
    for username, values in CHANNELS.items():
        db.session.add(UserChannels(user_id=users[username].id, **values))
    now = utcnow()
    lxx = db.session.scalars(select(Problem).join(Enterprise).where(Enterprise.name.contains("俊林"))
                             .order_by(Problem.id)).first()
    ma, coord = users["liaison_ma"], users["lxx_coord"]
    rows = [
        _row(kind="problem.arrived", channel="wecom", recipient="LxxZhuanban01", problem=lxx, user=coord,
             state="sent", at=now - timedelta(days=6)),
        _row(kind="problem.arrived", channel="dingtalk", recipient="lxx-coord", problem=lxx, user=coord,
             state="sent", at=now - timedelta(days=6)),
        _row(kind="enterprise.accepted", channel="sms", recipient="13909300101", problem=lxx, user=ma,
             state="sent", at=now - timedelta(days=5)),
        _row(kind="deadline.due_soon", channel="webhook", recipient="lxx_coord", problem=lxx, user=coord,
             state="dead", attempts=6, at=now - timedelta(days=2), error="HTTP 503"),
        _row(kind="problem.supervised", channel="sms", recipient="13909300101", problem=lxx, user=ma,
             state="dead", attempts=6, at=now - timedelta(days=1), error="短信网关拒收：isv.BUSINESS_LIMIT_CONTROL"),
        _row(kind="problem.commented", channel="wecom", recipient="MaXiaoming", problem=lxx, user=ma,
             state="pending", attempts=0, at=now + timedelta(hours=8)),
    ]
    # 清源 has no account: its contact was sent the resolve SMS with a one-time link (回访 by the enterprise itself).
    resolved = _resolved_without_account(ctx, now)
    enterprise = db.session.get(Enterprise, resolved.enterprise_id)
    link = links.issue(resolved, phone=enterprise.contact_phone, now=now - timedelta(days=1))
    context = {**outbox.context_for("problem", resolved.id), "link": links.url_for(link)}
    rows.append(_row(kind="problem.resolved", channel="sms", recipient=enterprise.contact_phone, problem=resolved,
                     state="sent", at=now - timedelta(days=1),
                     text=templates.sms_text(templates.DEFAULTS["problem.resolved"].sms, context)))
    db.session.add_all(rows)


def _resolved_without_account(ctx: dict, now) -> Problem:
    users, find = ctx["users"], ctx["find"]
    liaison, coord = Actor.for_user(users["liaison_ma"]), Actor.for_user(users["lxx_coord"])
    problem = file_problem(actor=liaison, enterprise_id=find("临夏县清源").id, category="logistics",
                           title="冷链车辆进城通行证办理", description="冷链配送车辆白天无法进城，需办理通行证。",
                           now=now - timedelta(days=4))
    apply_action(actor=coord, problem_id=problem.id, action="accept", now=now - timedelta(days=3))
    apply_action(actor=coord, problem_id=problem.id, action="resolve", now=now - timedelta(days=1),
                 payload={"resolution": "已协调县交警大队为企业办理冷链车辆通行证 3 张。"})
    return problem
