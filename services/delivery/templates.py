"""Message wording per event type: the defaults here, an admin's edits as MessageTemplate rows; rendering,
and the SMS length rule (one segment is 70 characters; a longer SMS goes as 67-character parts)."""

from __future__ import annotations

import math
import string
from dataclasses import dataclass

from sqlalchemy import select

from services import audit
from services.actors import Actor
from services.db import db, unit_of_work, utcnow
from services.errors import Forbidden, NotFound, ValidationFailed
from services.models import MessageTemplate

SMS_SEGMENT = 70
SMS_LONG_SEGMENT = 67
# The placeholders a template may use, and the longest value each takes in an SMS (values are cut to it).
PLACEHOLDERS = {"number": 14, "enterprise": 12, "problem_title": 12, "title": 24, "body": 20, "link": 0,
                "deadline": 11}
SIGN = "【联企通】"


@dataclass(frozen=True)
class Template:
    kind: str
    name: str
    text: str
    sms: str
    sms_template_id: str | None = None
    customized: bool = False


def _t(kind, name, text, sms):
    return kind, Template(kind, name, text, sms)


# Every message names the ledger number, the enterprise and what to do next, with a link into the client.
DEFAULTS: dict[str, Template] = dict([
    _t("problem.arrived", "问题待受理", "{title}\n台账编号：{number}\n企业：{enterprise}\n"
       "下一步：请在受理期限内受理、上报或退回。\n{link}", "{number}（{enterprise}）待受理，请及时受理或上报。"),
    _t("problem.filed", "包抓企业新问题", "{title}\n台账编号：{number}\n企业：{enterprise}\n下一步：请关注办理进展。\n{link}",
       "包抓企业{enterprise}新问题{number}，请关注办理。"),
    _t("problem.rejected", "不予受理", "您的问题不予受理：{problem_title}\n台账编号：{number}\n企业：{enterprise}\n"
       "下一步：理由见问题详情；如有异议可重新提交诉求。\n{link}", "您的诉求{number}不予受理，理由请登录联企通查看。"),
    _t("problem.resolved", "问题已办结", "问题已办结，请评价：{problem_title}\n台账编号：{number}\n企业：{enterprise}\n"
       "下一步：请确认是否解决并评价（满意/基本满意/不满意）。\n{link}", "您的诉求{number}已办结，请评价：{link}"),
    _t("problem.reopened", "评价不满意", "{title}\n台账编号：{number}\n企业：{enterprise}\n下一步：请重新办理并再次办结。\n{link}",
       "{number}（{enterprise}）评价不满意，请重新办理。"),
    _t("problem.withdrawn", "问题已撤回", "{title}\n台账编号：{number}\n企业：{enterprise}\n下一步：无需继续办理。\n{link}",
       "{number}（{enterprise}）已撤回。"),
    _t("problem.info_requested", "需要补充材料", "问题需要补充材料：{problem_title}\n台账编号：{number}\n企业：{enterprise}\n"
       "下一步：请登录联企通补充所需材料。\n{link}", "您的诉求{number}需补充材料，请登录联企通补充。"),
    _t("problem.info_supplied", "已补充材料", "{title}\n台账编号：{number}\n企业：{enterprise}\n下一步：请继续办理。\n{link}",
       "{number}（{enterprise}）已补充材料，请继续办理。"),
    _t("problem.extension_requested", "延期申请待审批", "{title}\n台账编号：{number}\n企业：{enterprise}\n下一步：请审批延期申请。\n{link}",
       "{number}（{enterprise}）申请延期，请审批。"),
    _t("problem.extension_decided", "延期申请已审批", "{title}\n台账编号：{number}\n企业：{enterprise}\n下一步：请按审批后的期限办理。\n{link}",
       "{number}延期申请已审批，请按期办理。"),
    _t("problem.supervised", "挂牌督办", "{title}\n台账编号：{number}\n企业：{enterprise}\n下一步：请在督办期限前办结。\n{link}",
       "{number}（{enterprise}）被挂牌督办，请按期办结。"),
    _t("problem.commented", "新留言", "{title}\n台账编号：{number}\n企业：{enterprise}\n下一步：请查看并回复。\n{link}",
       "{number}有新留言，请登录联企通查看。"),
    _t("problem.event", "包抓企业问题动态", "{title}\n台账编号：{number}\n企业：{enterprise}\n下一步：请关注办理进展。\n{link}",
       "包抓企业{enterprise}问题{number}有新进展。"),
    _t("enterprise.accepted", "诉求已受理", "您的诉求已受理：{problem_title}\n台账编号：{number}\n企业：{enterprise}\n"
       "下一步：承办专班将在期限内办理，可随时查看进展。\n{link}", "您的诉求{number}已受理，我们将按期办理。"),
    _t("enterprise.escalated", "诉求已上报", "您的诉求已上报上级专班：{problem_title}\n台账编号：{number}\n"
       "企业：{enterprise}\n下一步：上级专班将受理办理，无需重复提交。\n{link}", "您的诉求{number}已上报上级专班协调办理。"),
    _t("enterprise.closed", "诉求已销号", "您的诉求已销号：{problem_title}\n台账编号：{number}\n企业：{enterprise}\n"
       "下一步：感谢评价；如有新的困难可再次提交诉求。\n{link}", "您的诉求{number}已销号，感谢配合。"),
    _t("deadline.due_soon", "即将到期", "办理期限将至（{deadline}）：{problem_title}\n台账编号：{number}\n企业：{enterprise}\n"
       "下一步：请在期限前办结或申请延期。\n{link}", "{number}将于{deadline}到期，请按期办结。"),
    _t("deadline.due_passed", "办理超期", "下级办理超期（{deadline}）：{problem_title}\n台账编号：{number}\n"
       "企业：{enterprise}\n下一步：请督促办理。\n{link}", "{number}（{enterprise}）已超期，请督促办理。"),
    _t("deadline.acceptance_passed", "超期未受理", "下级超期未受理（{deadline}）：{problem_title}\n台账编号：{number}\n"
       "企业：{enterprise}\n下一步：请督促受理。\n{link}", "{number}（{enterprise}）超期未受理，请督促。"),
    _t("deadline.supervision_passed", "督办期限已过", "督办期限已过（{deadline}）：{problem_title}\n台账编号：{number}\n"
       "企业：{enterprise}\n下一步：已生成预警，请跟进。\n{link}", "督办事项{number}已过期限，请跟进。"),
    _t("deadline.task_due_soon", "任务即将到期", "承办任务期限将至（{deadline}）：{problem_title}\n台账编号：{number}\n"
       "企业：{enterprise}\n下一步：请在期限前办结反馈。\n{link}", "承办任务{number}将于{deadline}到期，请按期反馈。"),
    _t("deadline.task_due_passed", "任务超期", "承办任务已超期（{deadline}）：{problem_title}\n台账编号：{number}\n"
       "企业：{enterprise}\n下一步：请尽快办结反馈，专班请督促。\n{link}", "承办任务{number}已超期，请尽快办结反馈。"),
    _t("deadline.task_sign_passed", "任务超时未签收", "承办任务超时未签收（{deadline}）：{problem_title}\n"
       "台账编号：{number}\n企业：{enterprise}\n下一步：请签收或退单，专班请督促。\n{link}",
       "承办任务{number}超时未签收，请签收或退单。"),
    _t("warning.opened", "预警", "{title}\n{body}\n下一步：请核实情况并确认预警。\n{link}", "{title}：{body}，请核实。"),
    _t("policy.matched", "惠企政策", "{title}\n下一步：请登录联企通查看申请条件和联系方式。\n{link}", "{title}，请登录联企通查看。"),
    _t("plan.saved", "一企一策更新", "{title}\n下一步：请查看方案并审批。\n{link}", "{title}，请查看。"),
    _t("plan.approved", "一企一策审批", "{title}\n下一步：请按方案推进措施。\n{link}", "{title}，请按方案推进。"),
])
FALLBACK = Template("*", "通知", "{title}\n{body}\n{link}", "{title}")


def _parts(text: str, field: str = "text") -> list[tuple[str, str, str | None]]:
    try:
        return [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)
                if name is not None]
    except ValueError as error:
        raise ValidationFailed("模板格式无效：花括号不成对", field=field) from error


def _fields(text: str) -> list[str]:
    return [name for name, _, _ in _parts(text)]


def _check_placeholders(text: str, field: str) -> None:
    parts = _parts(text, field)
    if any(spec or conversion for _, spec, conversion in parts):
        raise ValidationFailed("占位符只能写成 {名称}，不能带格式或转换", field=field)
    unknown = sorted({name for name, _, _ in parts if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationFailed(f"模板中有未知的占位符：{'、'.join(unknown)}（可用：{'、'.join(PLACEHOLDERS)}）", field=field)


def _cut(value: str, limit: int) -> str:
    return value if not limit or len(value) <= limit else value[:limit - 1] + "…"


class _Values(dict):
    def __missing__(self, key):
        return ""


def render(text: str, context: dict, *, sms: bool = False) -> str:
    """Fill a template; SMS values are cut to their placeholder's budget."""
    values = _Values({k: str(v) for k, v in context.items() if v is not None})
    if sms:
        values = _Values({k: _cut(v, PLACEHOLDERS.get(k, 0)) for k, v in values.items()})
    out = text.format_map(values)
    return "\n".join(line for line in out.split("\n") if line.strip()) if not sms else out


def sms_text(template: str, context: dict) -> str:
    """An SMS: the signature and the filled SMS template."""
    return SIGN + render(template, context, sms=True)


def sms_segments(text: str) -> int:
    """How many parts carriers bill: 70 characters in one, 67 per part when longer."""
    return 1 if len(text) <= SMS_SEGMENT else math.ceil(len(text) / SMS_LONG_SEGMENT)


def worst_case_sms_length(template: str) -> int:
    """The length of the SMS (without its link) when every placeholder takes its longest value."""
    return len(SIGN + template.format_map(_Values({k: "字" * n for k, n in PLACEHOLDERS.items()})))


def get_template(kind: str) -> Template:
    """An event type's template: the admins' override, else the default."""
    row = db.session.get(MessageTemplate, kind)
    base = DEFAULTS.get(kind, FALLBACK)
    if row is None:
        return base
    return Template(kind, base.name, row.text, row.sms, row.sms_template_id, customized=True)


def list_templates(*, actor: Actor) -> list[Template]:
    """Every event type's template as in force. Raises Forbidden (not an admin)."""
    _require_admin(actor)
    rows = {row.kind: row for row in db.session.scalars(select(MessageTemplate))}
    return [Template(kind, base.name, rows[kind].text, rows[kind].sms, rows[kind].sms_template_id, True)
            if kind in rows else base for kind, base in DEFAULTS.items()]


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("只有管理员可以管理消息模板")


@unit_of_work()
def update_template(*, actor: Actor, kind: str, text: str, sms: str, sms_template_id: str | None = None) -> Template:
    """Set an event type's wording: known placeholders only, and the SMS without its link in one segment. Raises Forbidden (not an admin), NotFound (unknown type), ValidationFailed (placeholders, length)."""
    _require_admin(actor)
    if kind not in DEFAULTS:
        raise NotFound("消息类型不存在")
    _check_placeholders(text, "text")
    _check_placeholders(sms, "sms")
    length = worst_case_sms_length(sms)
    if length > SMS_SEGMENT:
        raise ValidationFailed(f"短信模板（含签名，占位符取最长值）为 {length} 字，超过一条短信的 {SMS_SEGMENT} 字", field="sms")
    row = db.session.get(MessageTemplate, kind)
    if row is None:
        row = MessageTemplate(kind=kind, text=text, sms=sms)
        db.session.add(row)
    row.text, row.sms, row.sms_template_id, row.updated_by_id = text, sms, sms_template_id, actor.user_id
    row.updated_at = utcnow()
    audit.record(actor, "message_template.updated", "message_template", kind, {"sms_template_id": sms_template_id})
    return get_template(kind)


@unit_of_work()
def reset_template(*, actor: Actor, kind: str) -> Template:
    """Back to the default wording. Raises Forbidden (not an admin), NotFound (unknown type)."""
    _require_admin(actor)
    if kind not in DEFAULTS:
        raise NotFound("消息类型不存在")
    row = db.session.get(MessageTemplate, kind)
    if row is not None:
        db.session.delete(row)
        audit.record(actor, "message_template.reset", "message_template", kind)
    return DEFAULTS[kind]
