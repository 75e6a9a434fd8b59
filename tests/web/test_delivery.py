"""Messages in the client: the one-time feedback link on a phone without an account, each user's channels
and quiet hours under 我的设置, and the admin's 发送队列 with 重发 on a dead letter."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from services.db import db, utcnow
from services.delivery import links
from services.models import Enterprise, FeedbackLink, Problem, User
from tests.web.conftest import check_accessibility, sign_in
from tests.web.test_desk import check_desk, desk  # noqa: F401 - the desk page factory


def _link(app, *, expired=False) -> tuple[str, SimpleNamespace]:
    """A fresh one-time link for a resolved problem of an enterprise without an account."""
    with app.app_context():
        with_account = select(User.enterprise_id).where(User.enterprise_id.is_not(None))
        problem = db.session.scalars(select(Problem).join(Enterprise).where(
            Problem.status == "resolved", Enterprise.id.not_in(with_account)).order_by(Problem.id)).first()
        assert problem is not None
        link = links.issue(problem, phone="13800000000")
        if expired:
            link.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        facts = SimpleNamespace(id=problem.id, title=problem.title, number=problem.number,
                                resolution=problem.resolution, reopen_count=problem.reopen_count)
        return links.token_for(link), facts


def test_the_feedback_link_works_signed_out_on_a_phone(page, app):
    token, problem = _link(app)
    page.goto(f"/app/feedback/{token}")
    page.get_by_role("heading", name=problem.title).wait_for()
    assert problem.number in page.content() and page.get_by_text(problem.resolution).is_visible()
    assert page.get_by_label("用户名").count() == 0  # no sign-in asked for
    check_accessibility(page, "public-feedback-link-open")
    page.get_by_role("button", name="不满意").click()
    assert page.get_by_role("alert").inner_text() == "选择不满意时请填写原因"
    page.get_by_label("意见或不满意的原因").fill("仍未解决，通行证只办了一张")
    page.get_by_role("button", name="不满意").click()
    page.get_by_role("heading", name="感谢您的评价").wait_for()
    with app.app_context():
        stored = db.session.get(Problem, problem.id)
        assert stored.status == "in_progress" and stored.reopen_count == problem.reopen_count + 1
        assert db.session.scalar(select(FeedbackLink.rating).where(FeedbackLink.problem_id == problem.id)
                                 .order_by(FeedbackLink.id.desc())) == "unsatisfied"


def test_a_used_link_shows_a_clear_page(page, app):
    token, _ = _link(app)
    page.goto(f"/app/feedback/{token}")
    page.get_by_role("button", name="满意", exact=True).click()
    page.get_by_role("heading", name="感谢您的评价").wait_for()
    page.reload()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "已使用" in alert.inner_text() or "已评价" in alert.inner_text()
    check_accessibility(page, "public-feedback-link-used")


def test_an_expired_link_shows_a_clear_page(page, app):
    token, _ = _link(app, expired=True)
    page.goto(f"/app/feedback/{token}")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "已过期" in alert.inner_text()


def test_a_user_sets_channels_and_quiet_hours_under_the_profile(page, app):
    sign_in(page, "kl_coord")
    page.get_by_role("link", name="我的设置").click()
    page.get_by_label("短信手机号").wait_for()
    check_accessibility(page, "profile-channels")
    page.get_by_label("短信手机号").fill("1391234")
    page.get_by_role("button", name="保存").click()
    assert "手机号格式无效" in page.get_by_role("alert").inner_text()
    page.get_by_label("短信手机号").fill("13912345678")
    page.get_by_label("钉钉账号").fill("kl-coord")
    page.get_by_label("免打扰：22:00–07:00 的非紧急短信推迟到 07:00 发送").uncheck()
    page.get_by_role("button", name="保存").click()
    page.get_by_text("接收渠道已保存").wait_for()
    page.reload()
    page.get_by_label("短信手机号").wait_for()
    assert page.get_by_label("短信手机号").input_value() == "13912345678"
    assert page.get_by_label("钉钉账号").input_value() == "kl-coord"
    assert not page.get_by_label("免打扰：22:00–07:00 的非紧急短信推迟到 07:00 发送").is_checked()
    with app.app_context():
        from services.models import UserChannels

        row = db.session.scalar(select(UserChannels).join(User, User.id == UserChannels.user_id)
                                .where(User.username == "kl_coord"))
        assert (row.sms, row.dingtalk, row.quiet_hours) == ("13912345678", "kl-coord", False)


def test_an_enterprise_user_changes_its_saved_channels(page):
    sign_in(page, "ent_qhy")  # the demo saved its SMS phone (version 1)
    page.get_by_role("link", name="我的设置").click()
    field = page.get_by_label("短信手机号")
    field.wait_for()
    assert field.input_value() == "13809301234"
    field.fill("13809305678")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("接收渠道已保存").wait_for()


def test_an_admin_sees_the_dead_letters_and_retries_one(desk, app):  # noqa: F811
    page = desk()
    sign_in(page, "admin")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="发送队列").click()
    table = page.get_by_role("table", name="发送队列")
    table.wait_for()
    assert "HTTP 503" in table.inner_text() and "发送失败" in table.inner_text()
    check_desk(page, "desk-outbox")
    with app.app_context():
        from services.models import OutboxMessage

        dead = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.last_error == "HTTP 503"))
    page.get_by_role("button", name=f"重发 {dead}").click()
    page.get_by_text("已重新加入发送队列").wait_for()
    page.get_by_role("button", name=f"重发 {dead}").wait_for(state="detached")
    with app.app_context():
        assert db.session.get(OutboxMessage, dead).state == "pending"
    page.get_by_label("发送状态").select_option(label="已送达")
    page.wait_for_url("**/app/outbox?state=sent**")
    page.get_by_role("table", name="发送队列").get_by_text("已送达").first.wait_for()


@pytest.mark.parametrize("username", ["lxx_coord", "liaison_ma"])
def test_only_admins_have_the_outbox_screen(page, username):
    sign_in(page, username)
    page.get_by_role("link", name="我的设置").wait_for()
    assert page.get_by_role("navigation", name="主导航").get_by_role("link", name="发送队列").count() == 0
