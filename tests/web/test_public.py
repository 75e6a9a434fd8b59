"""Screens that need no account: 不来即享 and the one-time feedback link."""


from tests.web.conftest import check_accessibility


def test_policy_match_works_signed_out(page, base_url):
    page.goto("/app/policies/match")
    page.get_by_label("主体类型").select_option("enterprise")
    page.get_by_label("企业规模").select_option("small")
    page.get_by_label("所属行业").select_option("C")
    page.get_by_label("所在县区").select_option(label="临夏县")
    page.get_by_label("从业人数").fill("45")
    page.get_by_role("button", name="查询可享政策").click()
    matched = page.get_by_role("list", name="可享受的政策").get_by_role("listitem")
    matched.first.wait_for()
    assert "符合条件" in matched.first.inner_text()
    assert page.get_by_role("button", name="退出登录").count() == 0
    check_accessibility(page, "public-policy-match")


def test_policy_match_page_opens_signed_out_with_its_form(page):
    page.goto("/app/policies/match")
    page.get_by_role("heading", name="不来即享：查一查能享受哪些惠企政策").wait_for()
    for name in ("主体类型", "企业规模", "所属行业", "所在县区", "从业人数"):
        assert page.get_by_label(name).is_visible()
    assert page.get_by_label("用户名").count() == 0


def test_an_unknown_feedback_link_says_it_is_invalid(page):
    page.goto("/app/feedback/not-a-real-token")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text() == "链接无效或已过期"
    check_accessibility(page, "public-feedback-link")
