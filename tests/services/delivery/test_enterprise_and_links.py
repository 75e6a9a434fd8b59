"""The enterprise is told at each step that concerns it (by SMS to its contact when it has no account), and
the resolve SMS carries a signed one-time link its contact answers without an account."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from services.db import db, utcnow
from services.delivery import templates
from services.models import Enterprise, FeedbackLink, OutboxMessage, Problem
from tests.services.problems.helpers import QHY, do, file

QINGYUAN = "清源食品"  # 临夏县, liaison_ma's, no account of its own


@pytest.fixture
def sms_app(configured, receiver):
    return configured(SMS_GATEWAY_URL=receiver.url("/sms"), PUBLIC_BASE_URL="https://lqt.linxia.gov.cn",
                      PUBLIC_RATE_LIMIT="100000 per minute")


def _contact(app, name):
    with app.app_context():
        return db.session.scalar(select(Enterprise.contact_phone).where(Enterprise.name.contains(name)))


def _sms_to(app, phone, problem_id):
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.recipient == phone, OutboxMessage.object_id == problem_id).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        db.session.rollback()
        return rows


def _resolved(login_as, demo, enterprise=QINGYUAN):
    liaison, coord = login_as("liaison_ma"), login_as("lxx_coord")
    problem = file(liaison, demo, enterprise=enterprise, title="冷链车辆通行证办理")
    do(coord, problem["id"], "accept")
    do(coord, problem["id"], "resolve", {"resolution": "已协调交警部门办理通行证 3 张"})
    return problem


def _token(app, problem_id):
    (sms,) = [m for m in _sms_to(app, _contact(app, QINGYUAN), problem_id) if m.kind == "problem.resolved"]
    return sms.link.rsplit("/", 1)[1], sms


def test_an_enterprise_without_an_account_is_told_by_sms_at_each_step(sms_app, login_as, demo):
    liaison, coord = login_as("liaison_ma"), login_as("lxx_coord")
    phone = _contact(sms_app, QINGYUAN)
    problem = file(liaison, demo, enterprise=QINGYUAN, title="冷库电价优惠落实")
    do(coord, problem["id"], "accept")
    do(coord, problem["id"], "request_info", {"question": "请提供电费单"})
    do(liaison, problem["id"], "supply_info", {"answer": "已上传"})
    do(coord, problem["id"], "resolve", {"resolution": "已按优惠电价结算"})
    do(liaison, problem["id"], "feedback", {"rating": "satisfied", "method": "phone"})
    kinds = [m.kind for m in _sms_to(sms_app, phone, problem["id"])]
    assert kinds == ["enterprise.accepted", "problem.info_requested", "problem.resolved", "enterprise.closed"]
    assert all(problem["number"] in m.text and m.text.startswith("【联企通】")
               for m in _sms_to(sms_app, phone, problem["id"]))


def test_escalation_and_rejection_reach_the_contact_too(sms_app, login_as, demo):
    liaison, coord = login_as("liaison_ma"), login_as("lxx_coord")
    phone = _contact(sms_app, QINGYUAN)
    up = file(liaison, demo, enterprise=QINGYUAN, scope="cross_county", title="跨县活畜调运")
    do(coord, up["id"], "escalate", {"reason": "跨县"})
    no = file(liaison, demo, enterprise=QINGYUAN, title="重复诉求")
    do(coord, no["id"], "reject", {"reason": "与已办结问题重复"})
    assert [m.kind for m in _sms_to(sms_app, phone, up["id"])] == ["enterprise.escalated"]
    assert [m.kind for m in _sms_to(sms_app, phone, no["id"])] == ["problem.rejected"]


def test_an_enterprise_with_an_account_is_told_in_its_inbox_not_by_contact_sms(sms_app, login_as, demo):
    problem = file(login_as("liaison_ma"), demo, enterprise=QHY, title="用工招聘")
    do(login_as("lxx_coord"), problem["id"], "accept")
    inbox = login_as("ent_qhy").get("notifications").get_json()["items"]
    assert any(n["kind"] == "enterprise.accepted" and n["object_id"] == problem["id"] for n in inbox)
    assert _sms_to(sms_app, _contact(sms_app, QHY), problem["id"]) == []


def test_the_resolve_sms_carries_a_one_time_link_into_the_web_client(sms_app, login_as, demo):
    problem = _resolved(login_as, demo)
    token, sms = _token(sms_app, problem["id"])
    assert sms.link == f"https://lqt.linxia.gov.cn/app/feedback/{token}" and sms.link in sms.text
    assert len(token) <= 30
    assert templates.sms_segments(sms.text) == 2  # the link makes it a long SMS: 67 characters a part


def test_the_contact_reads_the_problem_behind_the_link_without_an_account(sms_app, client, login_as, demo):
    problem = _resolved(login_as, demo)
    token, _ = _token(sms_app, problem["id"])
    response = client.get(f"public/feedback/{token}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["number"] == problem["number"] and "清源" in body["enterprise_name"]
    assert body["resolution"] == "已协调交警部门办理通行证 3 张" and body["expires_at"].endswith("+08:00")


def test_a_satisfied_answer_closes_the_problem_as_feedback_by_link(sms_app, client, login_as, demo):
    problem = _resolved(login_as, demo)
    token, _ = _token(sms_app, problem["id"])
    response = client.post(f"public/feedback/{token}", json={"rating": "satisfied"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"number": problem["number"], "status": "closed", "rating": "satisfied"}
    seen = login_as("lxx_coord").get(f"problems/{problem['id']}").get_json()
    assert seen["status"] == "closed" and seen["satisfaction"] == "satisfied"
    (event,) = [e for e in seen["events"] if e["action"] == "feedback"]
    assert event["data"]["method"] == "link"


def test_a_second_use_of_the_link_is_410_link_used(sms_app, client, login_as, demo):
    problem = _resolved(login_as, demo)
    token, _ = _token(sms_app, problem["id"])
    assert client.post(f"public/feedback/{token}", json={"rating": "basically_satisfied"}).status_code == 200
    again = client.post(f"public/feedback/{token}", json={"rating": "unsatisfied", "comment": "改主意了"})
    assert again.status_code == 410 and again.get_json()["code"] == "link_used"
    assert client.get(f"public/feedback/{token}").get_json()["code"] == "link_used"


def test_unsatisfied_needs_a_reason_and_leaves_the_link_usable(sms_app, client, login_as, demo):
    problem = _resolved(login_as, demo)
    token, _ = _token(sms_app, problem["id"])
    refused = client.post(f"public/feedback/{token}", json={"rating": "unsatisfied"})
    assert refused.status_code == 422 and "comment" in refused.get_json()["errors"]
    answered = client.post(f"public/feedback/{token}", json={"rating": "unsatisfied", "comment": "通行证只办了 1 张"})
    assert answered.status_code == 200 and answered.get_json()["status"] == "in_progress"
    seen = login_as("lxx_coord").get(f"problems/{problem['id']}").get_json()
    assert seen["reopen_count"] == 1
    inbox = login_as("lxx_coord").get("notifications").get_json()["items"]
    assert any(n["kind"] == "problem.reopened" and n["object_id"] == problem["id"] for n in inbox)


def test_an_expired_link_is_410_link_expired(sms_app, client, login_as, demo):
    problem = _resolved(login_as, demo)
    token, _ = _token(sms_app, problem["id"])
    with sms_app.app_context():
        link = db.session.scalar(select(FeedbackLink).where(FeedbackLink.problem_id == problem["id"]))
        assert timedelta(days=14, hours=23) < link.expires_at - link.created_at <= timedelta(days=15)
        link.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = client.post(f"public/feedback/{token}", json={"rating": "satisfied"})
    assert response.status_code == 410 and response.get_json()["code"] == "link_expired"
    assert login_as("lxx_coord").get(f"problems/{problem['id']}").get_json()["status"] == "resolved"


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature changed
    lambda t: "2" + t[1:] if t[0] != "2" else "3" + t[1:],  # another link's id with this signature
    lambda t: t.split(".")[0],  # no signature
    lambda t: "zzzzzzzz." + t.split(".")[1],  # an id out of range
    lambda t: "not-a-token",
])
def test_a_tampered_link_does_not_exist(sms_app, client, login_as, demo, tamper):
    problem = _resolved(login_as, demo)
    token, _ = _token(sms_app, problem["id"])
    assert client.get(f"public/feedback/{tamper(token)}").status_code == 404
    assert client.post(f"public/feedback/{tamper(token)}", json={"rating": "satisfied"}).status_code == 404


def test_a_link_to_a_problem_no_longer_waiting_for_its_verdict_is_used_up(sms_app, client, login_as, demo):
    problem = _resolved(login_as, demo)
    token, _ = _token(sms_app, problem["id"])
    do(login_as("liaison_ma"), problem["id"], "feedback", {"rating": "satisfied", "method": "phone"})
    assert client.get(f"public/feedback/{token}").get_json()["code"] == "link_used"


def test_a_rating_outside_the_scale_is_422(sms_app, client, login_as, demo):
    token, _ = _token(sms_app, _resolved(login_as, demo)["id"])
    assert client.post(f"public/feedback/{token}", json={"rating": "great"}).status_code == 422


def test_the_answer_is_audited(sms_app, client, login_as, demo):
    problem = _resolved(login_as, demo)
    token, _ = _token(sms_app, problem["id"])
    client.post(f"public/feedback/{token}", json={"rating": "satisfied"}, headers={"X-Request-ID": "link-req-1"})
    entries = login_as("auditor").get("audit", query_string={"object_type": "problem",
                                                           "object_id": problem["id"]}).get_json()["items"]
    used = [e for e in entries if e["action"] == "feedback_link.used"]
    assert len(used) == 1 and used[0]["data"]["rating"] == "satisfied" and used[0]["request_id"] == "link-req-1"
    assert any(e["action"] == "problem.feedback" for e in entries)


def test_the_links_are_rate_limited_per_address(configured, receiver, login_as, demo):
    app = configured(SMS_GATEWAY_URL=receiver.url("/sms"), PUBLIC_RATE_LIMIT="3 per minute")
    problem = _resolved(login_as, demo)
    token, _ = _token(app, problem["id"])
    anonymous = app.test_client()
    answers = [anonymous.get(f"/api/v1/public/feedback/{token}x{n}").status_code for n in range(4)]
    assert answers == [404, 404, 404, 429]
    assert anonymous.get(f"/api/v1/public/feedback/{token}").status_code == 429  # guessing costs the address


def test_the_link_works_through_a_real_server(sms_app, live_server, login_as, demo):
    import requests

    problem = _resolved(login_as, demo)
    token, _ = _token(sms_app, problem["id"])
    shown = requests.get(f"{live_server.url}public/feedback/{token}", headers={"Accept-Encoding": "gzip"})
    assert shown.status_code == 200 and shown.json()["number"] == problem["number"]
    answered = requests.post(f"{live_server.url}public/feedback/{token}",
                             json={"rating": "unsatisfied", "comment": "仍无法通行"})
    assert answered.status_code == 200 and answered.json()["status"] == "in_progress"
    again = requests.post(f"{live_server.url}public/feedback/{token}", json={"rating": "satisfied"})
    assert again.status_code == 410 and again.headers["Content-Type"].startswith("application/problem+json")
    assert again.json()["title"] == "链接已使用"


def test_two_answers_at_once_record_one_verdict(sms_app, live_server, login_as, demo):
    import threading

    import requests

    problem = _resolved(login_as, demo)
    token, _ = _token(sms_app, problem["id"])
    codes = []

    def answer(rating):
        codes.append(requests.post(f"{live_server.url}public/feedback/{token}", json={"rating": rating}).status_code)

    threads = [threading.Thread(target=answer, args=(r,)) for r in ("satisfied", "basically_satisfied")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200, 410]
    with sms_app.app_context():
        events = db.session.get(Problem, problem["id"]).status
        assert events == "closed"
