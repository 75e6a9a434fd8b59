"""Signing in and out in the browser: each phone role's home, errors in Chinese, reload, revocation."""

import requests

from tests.web.conftest import check_accessibility, sign_in


def test_liaison_lands_on_my_enterprises_with_overdue_first(page):
    sign_in(page, "liaison_ma")
    page.wait_for_url("**/app/enterprises")
    items = page.get_by_role("list", name="分包企业").get_by_role("listitem")
    items.first.wait_for()
    assert items.count() >= 3
    texts = items.all_inner_texts()
    assert any("清河源" in text for text in texts)
    overdue = ["超期未走访" in text for text in texts]
    assert overdue == sorted(overdue, reverse=True)  # the overdue ones come first
    assert page.get_by_role("button", name="走访登记", exact=True).count() == len(texts) + 1
    assert page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的企业").get_attribute("aria-current") == "page"
    check_accessibility(page, "liaison-my-enterprises")


def test_enterprise_lands_on_my_requests(page):
    sign_in(page, "ent_bs")
    page.wait_for_url("**/app/requests")
    page.get_by_role("list", name="我的诉求").get_by_role("listitem").first.wait_for()
    assert page.get_by_text("已办结待评价").count() >= 1  # status in plain words
    nav = page.get_by_role("navigation", name="主导航")
    for name in ("我的诉求", "提交诉求", "月度报表", "惠企政策"):
        assert nav.get_by_role("link", name=name).is_visible()
    check_accessibility(page, "enterprise-my-requests")


def test_wrong_password_shows_the_servers_detail_and_keeps_the_username(page):
    sign_in(page, "liaison_ma", "wrong-password")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "密码" in alert.inner_text()
    assert "{" not in alert.inner_text()  # never raw JSON
    assert page.get_by_label("用户名").input_value() == "liaison_ma"
    check_accessibility(page, "login")


def test_a_reload_stays_signed_in(page):
    sign_in(page, "liaison_ma")
    page.wait_for_url("**/app/enterprises")
    page.reload()
    page.get_by_role("list", name="分包企业").get_by_role("listitem").first.wait_for()
    assert page.get_by_role("button", name="退出登录").is_visible()


def test_sign_out_revokes_the_tokens(page, base_url):
    sign_in(page, "liaison_ma")
    page.wait_for_url("**/app/enterprises")
    tokens = page.evaluate("() => JSON.parse(localStorage.getItem('lqt.session'))")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/app/login")
    assert page.evaluate("() => localStorage.getItem('lqt.session')") is None
    me = requests.get(f"{base_url}/api/v1/me", headers={"Authorization": f"Bearer {tokens['access']}"}, timeout=10)
    refreshed = requests.post(f"{base_url}/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh']}"}, timeout=10)
    assert (me.status_code, refreshed.status_code) == (401, 401)


def test_deep_link_opens_its_screen_after_sign_in_and_back_works(page):
    page.goto("/app/enterprises/1")
    page.get_by_label("用户名").fill("liaison_ma")
    page.get_by_label("密码").fill("Demo@2026")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="临夏县清河源清真食品有限公司").wait_for()
    assert page.url.endswith("/app/enterprises/1")
    page.get_by_role("link", name="我的问题").click()
    page.wait_for_url("**/app/my-problems")
    page.go_back()
    page.get_by_role("heading", name="临夏县清河源清真食品有限公司").wait_for()
    check_accessibility(page, "liaison-enterprise-detail")
