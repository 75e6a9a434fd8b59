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
    with page.expect_response("**/api/v1/auth/logout") as logout:
        page.get_by_role("button", name="退出登录").click()
    assert logout.value.status == 204
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


def revoke_browser_session(page, base_url):
    """The server ends the session behind the phone's back (as an admin's reset or a password change would)."""
    tokens = page.evaluate("() => JSON.parse(localStorage.getItem('lqt.session'))")
    revoked = requests.post(f"{base_url}/api/v1/auth/logout", json={"refresh_token": tokens["refresh"]},
                            headers={"Authorization": f"Bearer {tokens['access']}"}, timeout=10)
    assert revoked.status_code == 204


def test_a_401_after_refresh_shows_sign_in_and_keeps_what_the_user_typed(page, base_url):
    sign_in(page, "ent_bs")
    page.wait_for_url("**/app/requests")
    page.goto("/app/requests/new")
    page.get_by_label("问题类别").select_option("labor")
    page.get_by_label("问题标题").fill("急需招聘理货员 10 名")
    page.get_by_label("问题描述").fill("春节前客流增加，理货员缺口 10 人。")
    revoke_browser_session(page, base_url)
    page.get_by_role("button", name="提交").click()
    dialog = page.get_by_role("dialog", name="重新登录")
    dialog.wait_for()
    check_accessibility(page, "session-ended")
    dialog.get_by_label("密码").fill("Demo@2026")
    dialog.get_by_role("button", name="登录").click()
    dialog.wait_for(state="detached")
    assert page.get_by_label("问题标题").input_value() == "急需招聘理货员 10 名"  # still there
    page.get_by_role("button", name="提交").click()
    page.get_by_role("heading", name="急需招聘理货员 10 名").wait_for()
    headers = {"Authorization": "Bearer " + page.evaluate("() => JSON.parse(localStorage.getItem('lqt.session')).access")}
    found = requests.get(f"{base_url}/api/v1/problems", params={"q": "急需招聘理货员", "limit": 10}, headers=headers,
                         timeout=10).json()["items"]
    assert len(found) == 1


def test_the_access_token_is_refreshed_before_it_expires(page, base_url):
    sign_in(page, "liaison_ma")
    page.wait_for_url("**/app/enterprises")
    before = page.evaluate("() => JSON.parse(localStorage.getItem('lqt.session'))")
    # Pretend the token expires in 20 s: the next call refreshes it first.
    page.evaluate("() => { const s = JSON.parse(localStorage.getItem('lqt.session')); s.expiresAt = Date.now() + 20000;"
                  " localStorage.setItem('lqt.session', JSON.stringify(s)); }")
    page.reload()
    page.get_by_role("list", name="分包企业").get_by_role("listitem").first.wait_for()
    page.wait_for_function("(old) => JSON.parse(localStorage.getItem('lqt.session')).refresh !== old", arg=before["refresh"])
    after = page.evaluate("() => JSON.parse(localStorage.getItem('lqt.session'))")
    assert after["access"] != before["access"]
    used = requests.post(f"{base_url}/api/v1/auth/refresh", headers={"Authorization": f"Bearer {before['refresh']}"}, timeout=10)
    assert used.status_code == 401  # the old refresh token was spent by the phone


def test_five_wrong_passwords_say_the_account_is_locked(page):
    page.goto("/app/login")
    page.get_by_label("用户名").fill("ent_qhy")
    for attempt in range(6):
        page.get_by_label("密码").fill(f"wrong-{attempt}")
        with page.expect_response("**/api/v1/auth/login"):
            page.get_by_role("button", name="登录").click()
    assert "锁定" in page.get_by_role("alert").inner_text()


def test_an_account_with_a_second_factor_is_asked_for_its_code(page, base_url, _session_app):
    import pyotp

    from tests.web.test_visits import api_login

    enrolled = requests.post(f"{base_url}/api/v1/me/mfa", json={}, headers=api_login(base_url, "liaison_ma"), timeout=10)
    assert enrolled.status_code in (200, 201), enrolled.text
    _session_app.config["MFA_REQUIRED_ROLES"] = frozenset({"liaison"})
    try:
        sign_in(page, "liaison_ma")
        code = page.get_by_label("动态验证码")
        code.wait_for()
        assert "动态验证码" in page.get_by_role("alert").inner_text()
        page.get_by_label("密码").fill("Demo@2026")
        code.fill(pyotp.TOTP(enrolled.json()["secret"]).now())
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/app/enterprises")
    finally:
        _session_app.config["MFA_REQUIRED_ROLES"] = frozenset()


def test_a_desk_role_lands_on_its_own_home_with_sign_out(page):
    sign_in(page, "lxx_coord")
    page.wait_for_url("**/app/problems")  # a coordinator's home is 问题台账 (the desk workbench)
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    assert page.get_by_role("button", name="退出登录").is_visible()
