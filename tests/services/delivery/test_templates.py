"""Messages read well: Chinese templates per event type, kept as data that admins edit, each naming the ledger
number, the enterprise and what to do next with a link into the client; an SMS fits 70 characters."""

import pytest
from sqlalchemy import select

from services.db import db
from services.delivery import templates
from services.models import OutboxMessage
from tests.services.problems.helpers import do, file

PROBLEM_KINDS = [k for k in templates.DEFAULTS if k.startswith(("problem.", "enterprise.", "deadline."))]


@pytest.mark.parametrize("kind", PROBLEM_KINDS)
def test_every_problem_message_names_the_number_the_enterprise_the_next_step_and_a_link(kind):
    template = templates.DEFAULTS[kind]
    assert {"{number}", "{enterprise}", "{link}"} <= {f"{{{f}}}" for f in templates._fields(template.text)}
    assert "\n下一步：" in template.text
    assert "{number}" in template.sms


@pytest.mark.parametrize("kind", list(templates.DEFAULTS))
def test_every_default_sms_fits_one_segment_with_its_longest_values(kind):
    sms = templates.DEFAULTS[kind].sms
    without_link = sms.replace("{link}", "")
    assert templates.worst_case_sms_length(without_link) <= templates.SMS_SEGMENT


def test_segments_are_counted_as_carriers_bill_them():
    assert templates.sms_segments("字" * 70) == 1
    assert templates.sms_segments("字" * 71) == 2
    assert templates.sms_segments("字" * 134) == 2
    assert templates.sms_segments("字" * 135) == 3


def test_long_values_are_cut_in_an_sms_but_not_in_a_chat_message():
    context = {"number": "LX-2026-000123", "enterprise": "临夏回族自治州某某食品科技股份有限公司", "problem_title": "标" * 40}
    sms = templates.sms_text("{enterprise}：{problem_title}", context)
    assert sms == "【联企通】临夏回族自治州某某食品…：" + "标" * 11 + "…"
    assert templates.render("{enterprise}", context) == context["enterprise"]


def test_an_admin_reads_every_template_with_the_placeholders(login_as):
    body = login_as("admin").get("message-templates").get_json()
    kinds = [t["kind"] for t in body["items"]]
    assert kinds == list(templates.DEFAULTS) and "number" in body["placeholders"]
    assert all(t["name"] and t["text"] and t["sms"] and t["customized"] is False for t in body["items"])


def test_an_edited_template_words_the_next_message(webhook_app, login_as, demo):
    admin = login_as("admin")
    response = admin.put("message-templates/problem.arrived", json={
        "text": "【待受理】{number}｜{enterprise}｜{problem_title}\n请今日内研判。\n{link}", "sms": "{number}待受理，请今日研判。"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["customized"] is True
    problem = file(login_as("liaison_ma"), demo, title="锅炉年检")
    with webhook_app.app_context():
        row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.object_id == problem["id"],
                                                           OutboxMessage.kind == "problem.arrived"))
        assert row.text.startswith(f"【待受理】{problem['number']}｜") and "请今日内研判" in row.text


def test_deleting_an_edited_template_restores_the_default(login_as):
    admin = login_as("admin")
    admin.put("message-templates/plan.saved", json={"text": "{title}", "sms": "{title}"})
    restored = admin.delete("message-templates/plan.saved").get_json()
    assert restored["text"] == templates.DEFAULTS["plan.saved"].text and restored["customized"] is False


@pytest.mark.parametrize("body, field", [
    ({"text": "{number} {secret}", "sms": "{number}"}, "text"),
    ({"text": "{number}", "sms": "{number.__class__}"}, "sms"),
    ({"text": "{number", "sms": "{number}"}, "text"),
    ({"text": "{number:>999999999}", "sms": "{number}"}, "text"),
    ({"text": "{number}", "sms": "{number!r}"}, "sms"),
    ({"text": "{number}", "sms": "{enterprise}" + "字" * 54}, "sms"),
    ({"text": "", "sms": "{number}"}, "text"),
])
def test_a_template_with_unknown_placeholders_or_a_long_sms_is_refused(login_as, body, field):
    response = login_as("admin").put("message-templates/problem.arrived", json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_an_unknown_event_type_is_not_found(login_as):
    assert login_as("admin").put("message-templates/no.such", json={"text": "x", "sms": "x"}).status_code == 404


@pytest.mark.parametrize("account", ["lx_coord", "auditor", "ent_qhy"])
def test_only_admins_edit_templates(login_as, account):
    session = login_as(account)
    assert session.get("message-templates").status_code == 403
    assert session.put("message-templates/plan.saved", json={"text": "{title}", "sms": "{title}"}).status_code == 403


def test_a_template_edit_is_audited(login_as):
    login_as("admin").put("message-templates/plan.saved", json={"text": "{title}", "sms": "{title}"})
    entries = login_as("auditor").get("audit", query_string={"object_type": "message_template"}).get_json()["items"]
    assert [e["object_id"] for e in entries] == ["plan.saved"]


def test_sms_of_real_events_fit_one_segment(configured, receiver, login_as, demo):
    app = configured(SMS_GATEWAY_URL=receiver.url("/sms"))
    problem = file(login_as("liaison_ma"), demo, title="一个非常长的问题标题用来检验短信长度是否超出七十个字的限制")
    do(login_as("lxx_coord"), problem["id"], "accept")
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms",
                                                             OutboxMessage.object_id == problem["id"])).all()
        assert rows and all(len(r.text) <= templates.SMS_SEGMENT for r in rows)
