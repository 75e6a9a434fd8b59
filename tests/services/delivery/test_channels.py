"""Each channel adapter against a real local HTTP server that records what it receives: the signed webhook,
企业微信 robot and app messages, 钉钉 robot messages with their signature, and the SMS gateway."""

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from services.db import db, utcnow
from services.delivery import channels, outbox, worker
from services.models import OutboxMessage, User
from services.timeutil import zone
from tests.services.problems.helpers import BAISHENG, do, file


def _deliver(app):
    with app.app_context():
        return worker.run_once(worker="t", batch=100)


def _rows(app, channel):
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == channel,
                                                                   OutboxMessage.state != "dead")))
        db.session.expunge_all()
        db.session.rollback()
        return rows


def _arrived_for_lxx_coord(login_as, demo):
    """A new problem at 临夏县: lxx_coord (企业微信 LxxZhuanban01, 钉钉 lxx-coord in the demo) is told."""
    return file(login_as("liaison_ma"), demo)


def test_the_webhook_body_is_signed_with_hmac_sha256_over_its_exact_bytes(webhook_app, receiver, login_as, demo):
    _arrived_for_lxx_coord(login_as, demo)
    _deliver(webhook_app)
    request = receiver.requests[-1]
    expected = hmac.new(b"s3cret", request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-LQT-Signature"] == f"sha256={expected}"
    assert request.headers["Content-Type"].startswith("application/json")
    assert set(request.json) == {"id", "type", "recipient", "text", "link", "at"}
    assert request.json["id"] == request.headers["X-LQT-Message-Id"]


def test_a_retried_webhook_keeps_its_message_id(configured, receiver, login_as, demo):
    app = configured(WEBHOOK_URL=receiver.url("/hook"), WEBHOOK_SECRET="s", OUTBOX_BACKOFF_SECONDS=0)
    answers = iter([(502, {}), (200, {})])
    receiver.answer = lambda r: next(answers, (200, {}))
    problem = _arrived_for_lxx_coord(login_as, demo)
    _deliver(app)
    _deliver(app)
    ids = [r.headers["X-LQT-Message-Id"] for r in receiver.requests
           if problem["number"] in r.json["text"] and r.json["recipient"] == "lxx_coord"]
    assert len(ids) == 2 and ids[0] == ids[1]


@pytest.fixture
def dingtalk_app(configured, receiver):
    return configured(DINGTALK_WEBHOOK_URL=receiver.url("/robot/send?access_token=ding-token"),
                      DINGTALK_SECRET="SECdemo0123456789")


def test_dingtalk_robot_messages_carry_the_timestamp_and_secret_signature(dingtalk_app, receiver, login_as, demo):
    problem = _arrived_for_lxx_coord(login_as, demo)
    _deliver(dingtalk_app)
    (request,) = [r for r in receiver.requests if r.path == "/robot/send"]
    timestamp = request.query["timestamp"][0]
    digest = hmac.new(b"SECdemo0123456789", f"{timestamp}\nSECdemo0123456789".encode(), hashlib.sha256).digest()
    assert request.query["sign"][0] == base64.b64encode(digest).decode()  # parse_qs undid the URL encoding
    assert request.query["access_token"] == ["ding-token"]
    assert abs(int(timestamp) / 1000 - utcnow().timestamp()) < 3600
    body = request.json
    assert body["msgtype"] == "text" and body["at"]["atUserIds"] == ["lxx-coord"]
    assert problem["number"] in body["text"]["content"]


def test_a_dingtalk_errcode_is_a_failed_attempt(dingtalk_app, receiver, login_as, demo):
    receiver.answer = lambda r: (200, {"errcode": 310000, "errmsg": "sign not match"})
    _arrived_for_lxx_coord(login_as, demo)
    _deliver(dingtalk_app)
    (row,) = [r for r in _rows(dingtalk_app, "dingtalk") if r.state != "sent"]
    assert row.state == "pending" and "310000" in row.last_error and "sign not match" in row.last_error


def test_wecom_robot_messages_mention_the_user(configured, receiver, login_as, demo):
    app = configured(WECOM_WEBHOOK_URL=receiver.url("/cgi-bin/webhook/send?key=robot-key"))
    problem = _arrived_for_lxx_coord(login_as, demo)
    _deliver(app)
    (request,) = [r for r in receiver.requests if r.path == "/cgi-bin/webhook/send"]
    assert request.query["key"] == ["robot-key"]
    assert request.json["msgtype"] == "text"
    assert request.json["text"]["mentioned_list"] == ["LxxZhuanban01"]
    assert problem["number"] in request.json["text"]["content"]
    assert _rows(app, "wecom")[-1].state == "sent"


@pytest.fixture
def wecom_app(configured, receiver):
    return configured(WECOM_CORP_ID="ww-corp", WECOM_CORP_SECRET="app-secret", WECOM_AGENT_ID="1000002",
                      WECOM_API_BASE=receiver.base)


def _wecom_api(tokens, sends):
    def answer(request):
        if request.path == "/cgi-bin/gettoken":
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": next(tokens), "expires_in": 7200}
        return 200, next(sends)
    return answer


def test_wecom_app_messages_go_to_the_userid_with_a_fetched_access_token(wecom_app, receiver, login_as, demo):
    channels.wecom_token.value = None
    receiver.answer = _wecom_api(iter(["TOKEN-1", "TOKEN-2"]), iter([{"errcode": 0, "errmsg": "ok"}] * 5))
    problem = _arrived_for_lxx_coord(login_as, demo)
    _deliver(wecom_app)
    token, send = [r for r in receiver.requests if r.path.startswith("/cgi-bin/")][:2]
    assert token.path == "/cgi-bin/gettoken" and token.query == {"corpid": ["ww-corp"], "corpsecret": ["app-secret"]}
    assert send.path == "/cgi-bin/message/send" and send.query["access_token"] == ["TOKEN-1"]
    assert send.json["touser"] == "LxxZhuanban01" and send.json["agentid"] == 1000002
    assert problem["number"] in send.json["text"]["content"]


def test_an_expired_wecom_token_is_fetched_again_and_the_message_resent(wecom_app, receiver, login_as, demo):
    channels.wecom_token.value = None
    receiver.answer = _wecom_api(iter(["OLD", "NEW"]),
                                 iter([{"errcode": 42001, "errmsg": "access_token expired"}, {"errcode": 0}]))
    _arrived_for_lxx_coord(login_as, demo)
    _deliver(wecom_app)
    sends = [r for r in receiver.requests if r.path == "/cgi-bin/message/send"]
    assert [s.query["access_token"][0] for s in sends] == ["OLD", "NEW"]
    assert _rows(wecom_app, "wecom")[-1].state == "sent"


@pytest.fixture
def sms_app(configured, receiver):
    return configured(SMS_GATEWAY_URL=receiver.url("/sms/send"), SMS_GATEWAY_KEY="gw-key", SMS_SIGN_NAME="联企通")


def _reject_for_liaison_li(login_as, demo):
    """liaison_li (SMS 13909300102, quiet hours off in the demo) is told when 百盛's problem is rejected."""
    problem = file(login_as("ent_bs"), demo, enterprise=BAISHENG, title="户外促销备案")
    do(login_as("kl_coord"), problem["id"], "reject", {"reason": "不属于受理范围"})
    return problem


def test_sms_go_through_the_gateway_with_their_template_id_and_parameters(sms_app, receiver, login_as, demo):
    admin = login_as("admin")
    default = next(t for t in admin.get("message-templates").get_json()["items"] if t["kind"] == "problem.rejected")
    assert admin.put("message-templates/problem.rejected",
                     json={**{k: default[k] for k in ("text", "sms")}, "sms_template_id": "SMS_2026_07"}).status_code == 200
    problem = _reject_for_liaison_li(login_as, demo)
    _deliver(sms_app)
    (request,) = [r for r in receiver.requests if r.path == "/sms/send" and r.json["phone"] == "13909300102"]
    assert request.headers["Authorization"] == "Bearer gw-key"
    body = request.json
    assert body["template_id"] == "SMS_2026_07" and body["sign_name"] == "联企通"
    assert body["params"]["number"] == problem["number"]
    assert body["text"].startswith("【联企通】") and problem["number"] in body["text"]
    assert body["segments"] == 1 and len(body["text"]) <= 70
    assert body["id"] == request.headers["X-LQT-Message-Id"]


def test_a_gateway_refusal_is_a_failed_attempt(sms_app, receiver, login_as, demo):
    receiver.answer = lambda r: (200, {"code": "isv.MOBILE_NUMBER_ILLEGAL", "message": "号码格式错误"})
    _reject_for_liaison_li(login_as, demo)
    _deliver(sms_app)
    rows = [r for r in _rows(sms_app, "sms") if r.recipient == "13909300102" and r.attempts]
    assert rows and all(r.state == "pending" and "MOBILE_NUMBER_ILLEGAL" in r.last_error for r in rows)


def test_an_unreachable_receiver_is_a_failed_attempt(configured, login_as, demo):
    app = configured(WEBHOOK_URL="http://127.0.0.1:9/closed", WEBHOOK_SECRET="s")
    _arrived_for_lxx_coord(login_as, demo)
    assert _deliver(app).failed >= 1


# --- quiet hours --------------------------------------------------------------------------------------------


def _local(hour, minute=0, day=2):
    return datetime(2026, 12, day, hour, minute, tzinfo=zone())


@pytest.mark.parametrize("hour, minute, until", [
    (23, 0, _local(7, day=3)), (22, 0, _local(7, day=3)), (6, 59, _local(7)), (3, 0, _local(7)),
    (7, 0, None), (12, 0, None), (21, 59, None),
])
def test_quiet_hours_hold_until_seven_in_the_morning(hour, minute, until):
    assert outbox.quiet_until(_local(hour, minute)) == until


def _enqueue_sms_at(app, username, at, *, urgent=False):
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == username))
        outbox.enqueue_for_users([user_id], kind="policy.matched", title="您可申请惠企政策：房租减免", now=at,
                                 extra={"urgent": urgent})
        db.session.flush()
        row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user_id,
                                                             OutboxMessage.channel == "sms")
                                 .order_by(OutboxMessage.id.desc())).first()
        due = row.next_attempt_at
        db.session.rollback()
        return due


def test_a_non_urgent_sms_at_night_waits_for_seven_oclock(sms_app):
    assert _enqueue_sms_at(sms_app, "liaison_ma", _local(23, 30)) == _local(7, day=3)


def test_an_urgent_sms_at_night_goes_at_once(sms_app):
    assert _enqueue_sms_at(sms_app, "liaison_ma", _local(23, 30), urgent=True) == _local(23, 30)


def test_a_user_without_quiet_hours_gets_sms_at_night(sms_app):
    assert _enqueue_sms_at(sms_app, "liaison_li", _local(23, 30)) == _local(23, 30)


def test_quiet_hours_hold_only_sms(configured, receiver, login_as):
    app = configured(WECOM_WEBHOOK_URL=receiver.url("/robot"))
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == "liaison_ma"))
        outbox.enqueue_for_users([user_id], kind="policy.matched", title="政策", now=_local(23, 30))
        row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "wecom")
                                 .order_by(OutboxMessage.id.desc())).first()
        assert row.next_attempt_at == _local(23, 30)
        db.session.rollback()


# --- /me/channels ------------------------------------------------------------------------------------------


def test_a_user_without_channels_reads_version_zero_with_quiet_hours_on(login_as):
    response = login_as("kl_coord").get("me/channels")
    assert response.status_code == 200 and response.headers["ETag"] == '"0"'
    body = response.get_json()
    assert body["sms"] is None and body["quiet_hours"] is True and body["version"] == 0


def test_setting_channels_needs_if_match(login_as):
    assert login_as("kl_coord").put("me/channels", json={"sms": "13912345678"}).status_code == 428


def test_a_user_sets_and_changes_their_channels(login_as):
    session = login_as("kl_coord")
    created = session.put("me/channels", json={"sms": "13912345678", "dingtalk": "kl-coord", "quiet_hours": False},
                          headers={"If-Match": '"0"'})
    assert created.status_code == 200, created.get_json()
    assert created.get_json()["version"] == 1 and created.get_json()["quiet_hours"] is False
    changed = session.put("me/channels", json={"sms": None}, headers={"If-Match": created.headers["ETag"]})
    assert changed.get_json()["sms"] is None and changed.get_json()["dingtalk"] == "kl-coord"
    assert session.get("me/channels").get_json()["version"] == 2


def test_a_stale_if_match_on_channels_is_412(login_as):
    session = login_as("liaison_ma")  # the demo set its channels: version 1
    assert session.put("me/channels", json={"wecom": "Ma"}, headers={"If-Match": '"0"'}).status_code == 412


@pytest.mark.parametrize("body, field", [
    ({"sms": "12345"}, "sms"), ({"sms": "139123456789"}, "sms"), ({"wecom": "有空格 的"}, "wecom"),
    ({"dingtalk": "x" * 65}, "dingtalk"), ({"quiet_hours": "sometimes"}, "quiet_hours"), ({"email": "a@b.cn"}, "email"),
])
def test_invalid_channel_addresses_are_refused(login_as, body, field):
    response = login_as("kl_coord").put("me/channels", json=body, headers={"If-Match": '"0"'})
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_channels_are_the_callers_own(login_as):
    login_as("kl_coord").put("me/channels", json={"sms": "13912345678"}, headers={"If-Match": '"0"'})
    assert login_as("lxx_coord").get("me/channels").get_json()["sms"] is None


def test_the_enabled_channels_are_the_deployments(sms_app, login_as):
    assert login_as("kl_coord").get("me/channels").get_json()["enabled"] == ["sms"]


def test_a_saved_sms_address_receives_the_next_message(sms_app, receiver, login_as, demo):
    coord = login_as("kl_coord")
    coord.put("me/channels", json={"sms": "13912345678", "quiet_hours": False}, headers={"If-Match": '"0"'})
    file(login_as("ent_bs"), demo, enterprise=BAISHENG, title="冷库用电增容")  # arrives at 康乐县's task force
    _deliver(sms_app)
    assert any(json.loads(r.body)["phone"] == "13912345678" for r in receiver.requests)


def test_channels_through_a_real_server(live_server):
    session = live_server.login("lx_coord")
    first = session.get(live_server.url + "me/channels")
    response = session.put(live_server.url + "me/channels", json={"wecom": "LxZhuanban", "quiet_hours": True},
                           headers={"If-Match": first.headers["ETag"]})
    assert response.status_code == 200 and response.json()["wecom"] == "LxZhuanban"
    again = session.put(live_server.url + "me/channels", json={"wecom": "X"}, headers={"If-Match": first.headers["ETag"]})
    assert again.status_code == 412 and again.headers["Content-Type"].startswith("application/problem+json")


def test_a_message_waiting_for_the_morning_is_not_claimed_before(sms_app):
    night = _local(23, 30)
    _enqueue_sms_at(sms_app, "liaison_ma", night)  # rolled back: nothing stays
    with sms_app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == "liaison_ma"))
        outbox.enqueue_for_users([user_id], kind="policy.matched", title="政策", now=night)
        db.session.commit()
        claimed = worker.claim(worker="t", batch=100, now=night + timedelta(hours=2))
        assert not [e for e in claimed if e.channel == "sms" and e.recipient == "13909300101"]
        db.session.rollback()
