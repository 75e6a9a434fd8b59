"""An enterprise user's screens in the browser, and a liaison's 回访 on a resolved problem."""

import requests

from tests.web.conftest import check_accessibility, sign_in
from tests.web.test_visits import api_login


def problem(base_url, username, problem_id):
    headers = api_login(base_url, username)
    return requests.get(f"{base_url}/api/v1/problems/{problem_id}", headers=headers, timeout=10).json()


def resolved_problem_id(base_url, title_part):
    headers = api_login(base_url, "kl_coord")
    items = requests.get(f"{base_url}/api/v1/problems", params={"status": "resolved", "q": title_part, "limit": 10},
                         headers=headers, timeout=10).json()["items"]
    return items[0]["id"]


def test_enterprise_files_a_request_once(page, base_url):
    sign_in(page, "ent_bs")
    page.wait_for_url("**/app/requests")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="提交诉求").click()
    page.get_by_label("问题标题").wait_for()
    check_accessibility(page, "enterprise-new-request")
    page.get_by_role("button", name="提交").click()
    assert "请先补全" in page.get_by_role("alert").inner_text()  # checked on the phone first
    page.get_by_label("问题类别").select_option("financing")
    page.get_by_label("问题标题").fill("流动资金贷款到期续贷困难")
    page.get_by_label("问题描述").fill("300 万元贷款下月到期，银行要求先还后贷，请协调续贷。")
    page.get_by_label("问题范围").select_option("county")
    page.get_by_role("button", name="提交").click()
    page.get_by_role("heading", name="流动资金贷款到期续贷困难").wait_for()
    assert page.get_by_text("待受理").first.is_visible()
    problem_id = int(page.url.rsplit("/", 1)[1])
    filed = problem(base_url, "kl_coord", problem_id)
    assert (filed["source"], filed["status"], filed["category"]) == ("enterprise", "pending", "financing")
    headers = api_login(base_url, "kl_coord")
    same = requests.get(f"{base_url}/api/v1/problems", params={"q": "流动资金贷款到期续贷困难", "limit": 10},
                        headers=headers, timeout=10).json()["items"]
    assert len(same) == 1
    check_accessibility(page, "enterprise-request-detail")


def test_enterprise_rejects_a_resolution_with_its_reason(page, base_url):
    problem_id = resolved_problem_id(base_url, "节日促销")
    sign_in(page, "ent_bs")
    page.wait_for_url("**/app/requests")
    page.goto(f"/app/problems/{problem_id}")
    page.get_by_role("heading", name="对办理结果的评价").wait_for()
    check_accessibility(page, "enterprise-feedback")
    page.get_by_role("button", name="不满意").click()
    assert "原因" in page.get_by_role("alert").inner_text()  # a reason is required
    page.get_by_label("意见或不满意的原因").fill("审批仍需两周，没有解决实际问题")
    page.get_by_role("button", name="不满意").click()
    page.get_by_role("list", name="办理过程").get_by_text("审批仍需两周，没有解决实际问题").wait_for()
    assert page.get_by_role("button", name="满意", exact=True).count() == 0
    after = problem(base_url, "kl_coord", problem_id)
    assert (after["status"], after["reopen_count"]) == ("in_progress", 1)


def test_enterprise_files_and_then_replaces_a_monthly_report(page, base_url):
    sign_in(page, "ent_bs")
    page.wait_for_url("**/app/requests")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="月度报表").click()
    page.get_by_label("月份").fill("2026-12")
    page.get_by_label("经营状态").select_option("resumed")
    page.get_by_label("在岗人数").fill("88")
    page.get_by_label("营业收入（万元）").fill("123.45")
    page.get_by_label("产能利用率（%）").fill("76.5")
    page.get_by_role("button", name="提交报表").click()
    page.get_by_role("row", name="2026-12").wait_for()
    check_accessibility(page, "enterprise-monthly-report")
    page.get_by_label("在岗人数").fill("90")
    page.get_by_role("button", name="提交报表").click()  # replaces it, with If-Match
    page.get_by_role("row", name="2026-12").get_by_text("90", exact=True).wait_for()
    headers = api_login(base_url, "ent_bs")
    me = requests.get(f"{base_url}/api/v1/me", headers=headers, timeout=10).json()
    reports = requests.get(f"{base_url}/api/v1/enterprises/{me['enterprise']['id']}/status-reports",
                           headers=headers, timeout=10).json()["items"]
    [december] = [r for r in reports if r["period"] == "2026-12"]
    assert (december["employees"], december["revenue_10k"], december["version"]) == (90, 123.45, 2)


def test_enterprise_sees_its_policies_with_reasons_and_whom_to_call(page):
    sign_in(page, "ent_qhy")
    page.wait_for_url("**/app/requests")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="惠企政策").click()
    matched = page.get_by_role("list", name="可享受的政策").get_by_role("listitem")
    matched.first.wait_for()
    assert "符合条件" in matched.first.inner_text() and "咨询" in matched.first.inner_text()
    check_accessibility(page, "enterprise-policies")


def test_liaison_records_a_phone_follow_up_on_a_resolved_problem(page, base_url):
    problem_id = resolved_problem_id(base_url, "收银员社保")
    sign_in(page, "liaison_li")
    page.wait_for_url("**/app/enterprises")
    page.goto(f"/app/problems/{problem_id}")
    page.get_by_role("heading", name="回访评价").wait_for()
    page.get_by_label("回访方式").select_option("phone")
    check_accessibility(page, "liaison-follow-up")
    page.get_by_role("button", name="满意", exact=True).click()
    page.get_by_text("评价：满意").wait_for()
    after = problem(base_url, "kl_coord", problem_id)
    assert (after["status"], after["satisfaction"]) == ("closed", "satisfied")
    assert after["events"][-1]["action"] == "feedback"
