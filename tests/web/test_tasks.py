"""Departments at the desk (1366×768): the task force dispatches through 交办, the department signs and
reports from 待办任务, the task force resolves with the report pre-filled; the department assessment."""

from __future__ import annotations

import requests

from tests.web.test_desk import act, actions, check_desk, desk, sign_in, status_shown  # noqa: F401 - fixtures
from tests.web.test_visits import api_login

TITLE = "技改项目资金缺口（派单演示）"


def _accepted_problem(base_url) -> dict:
    headers = api_login(base_url, "lxx_coord")
    filed = requests.post(f"{base_url}/api/v1/problems", headers=headers, timeout=10, json={
        "enterprise_id": 1, "category": "production", "title": TITLE, "description": "技改需协调专项资金", "scope": "county"})
    assert filed.status_code == 201, filed.text
    problem = filed.json()
    accepted = requests.post(f"{base_url}/api/v1/problems/{problem['id']}/accept", json={}, headers=headers, timeout=10)
    assert accepted.status_code == 200, accepted.text
    return problem


def test_a_department_signs_and_reports_through_the_desk_and_the_task_force_resolves(desk, base_url, actions):  # noqa: F811
    problem = _accepted_problem(base_url)
    county = desk()
    sign_in(county, "lxx_coord")
    county.get_by_role("heading", name="问题台账", level=2).wait_for()
    county.goto(f"/app/problems/{problem['id']}")
    status_shown(county, "办理中")
    # 交办: the form lists only departments of 临夏县 (its subtree), lead and assisting.
    county.get_by_role("group", name="可执行的操作").get_by_role("button", name=actions["assign"], exact=True).click()
    dialog = county.get_by_role("dialog", name=actions["assign"])
    lead = dialog.get_by_label("承办单位")
    lead.locator("option", has_text="临夏县工业和信息化局").wait_for(state="attached")
    options = lead.locator("option").all_inner_texts()
    assert "临夏县工业和信息化局（临夏县）" in options and not any("兰州" in o or "临夏州" in o for o in options)
    lead.select_option(label="临夏县工业和信息化局（临夏县）")
    dialog.get_by_label("协办单位").select_option(label="临夏县农业农村局（临夏县）")
    dialog.get_by_label("交办要求").fill("请三个工作日内提出资金方案")
    dialog.get_by_role("button", name="确定").click()
    dialog.wait_for(state="hidden")
    tasks = county.get_by_role("list", name="承办任务")
    tasks.get_by_text("主办：临夏县工业和信息化局").wait_for()
    tasks.get_by_text("协办：临夏县农业农村局").wait_for()
    assert "待签收" in tasks.inner_text()
    assert not county.get_by_role("group", name="可执行的操作").get_by_role("button", name=actions["resolve"]).count()

    department = desk()
    sign_in(department, "dept_lxx_gxj")
    department.wait_for_url("**/app/tasks")  # the department's home
    department.get_by_role("heading", name="待办任务", level=2).wait_for()
    row = department.locator(".ledger tbody tr").filter(has_text=TITLE)
    row.get_by_role("button", name="签收", exact=True).click()
    row = department.locator(".ledger tbody tr").filter(has_text=TITLE)
    row.get_by_role("button", name="进展", exact=True).wait_for()
    assert "办理中" in row.inner_text() and not row.get_by_role("button", name="退单").count()
    row.get_by_role("button", name="进展", exact=True).click()
    note = department.get_by_role("dialog", name="进展")
    note.get_by_label("办理进展").fill("已现场调研，正在对接省工信厅")
    note.get_by_role("button", name="确定").click()
    note.wait_for(state="hidden")
    department.locator(".ledger tbody tr").filter(has_text=TITLE).get_by_role("button", name="办结反馈", exact=True).click()
    report = department.get_by_role("dialog", name="办结反馈")
    report.get_by_label("办理结果").fill("已争取省级技改专项资金 80 万元")
    report.get_by_role("button", name="确定").click()
    report.wait_for(state="hidden")
    department.locator(".ledger tbody tr").filter(has_text=TITLE).get_by_text("已反馈").wait_for()
    check_desk(department, "tasks")

    county.reload()
    status_shown(county, "办理中")
    county.get_by_role("list", name="承办任务").get_by_text("办理结果：已争取省级技改专项资金 80 万元").wait_for()
    timeline = county.get_by_role("list", name="办理过程").inner_text()
    assert "签收" in timeline and "办结反馈" in timeline and "已现场调研" in timeline
    county.get_by_role("group", name="可执行的操作").get_by_role("button", name=actions["resolve"], exact=True).click()
    resolve = county.get_by_role("dialog", name=actions["resolve"])
    assert resolve.get_by_label("办理结果").input_value() == "已争取省级技改专项资金 80 万元"  # pre-filled
    resolve.get_by_role("button", name="确定").click()
    resolve.wait_for(state="hidden")
    status_shown(county, "已办结待评价")
    assert "已终止" in county.get_by_role("list", name="承办任务").inner_text()  # the open assisting task


def test_a_department_refuses_with_a_reason_and_the_task_force_sees_it(desk, base_url, actions):  # noqa: F811
    problem = _accepted_problem(base_url)
    headers = api_login(base_url, "lxx_coord")
    gxj = next(d["id"] for d in requests.get(f"{base_url}/api/v1/departments", params={"limit": 100}, headers=headers,
                                              timeout=10).json()["items"] if d["name"] == "临夏县工业和信息化局")
    sent = requests.post(f"{base_url}/api/v1/problems/{problem['id']}/assign", json={"department_id": gxj},
                         headers=headers, timeout=10)
    assert sent.status_code == 200, sent.text
    department = desk()
    sign_in(department, "dept_lxx_gxj")
    department.get_by_role("heading", name="待办任务", level=2).wait_for()
    department.locator(".ledger tbody tr").filter(has_text=TITLE).get_by_role("button", name="退单", exact=True).click()
    dialog = department.get_by_role("dialog", name="退单")
    dialog.get_by_role("button", name="确定").click()
    dialog.get_by_text("请填写退单理由").wait_for()  # the reason is required
    dialog.get_by_label("退单理由").fill("技改专项由州工信局组织")
    dialog.get_by_role("button", name="确定").click()
    dialog.wait_for(state="hidden")
    department.locator(".ledger tbody tr").filter(has_text=TITLE).get_by_text("已退单", exact=True).wait_for()
    assert not department.locator(".ledger tbody tr").filter(has_text=TITLE).get_by_role("button").count()
    county = desk()
    sign_in(county, "lxx_coord")
    county.get_by_role("heading", name="问题台账", level=2).wait_for()
    county.goto(f"/app/problems/{problem['id']}")
    county.get_by_role("list", name="承办任务").get_by_text("退单理由：技改专项由州工信局组织").wait_for()
    assert county.get_by_role("group", name="可执行的操作").get_by_role("button", name=actions["assign"], exact=True).is_visible()


def test_the_department_assessment_is_a_table_a_chart_and_an_export(desk, export_worker):  # noqa: F811
    export_worker()
    page = desk()
    sign_in(page, "lx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.goto("/app/assessments")
    page.get_by_role("link", name="部门考核").click()
    page.get_by_role("heading", name="部门考核 · 临夏回族自治州", level=2).wait_for()
    table = page.get_by_role("table", name="部门考核表")
    table.get_by_text("临夏州政府金融办").wait_for()
    assert "按时签收率" in table.inner_text()
    check_desk(page, "department-assessment")
    with page.expect_download() as download:
        page.get_by_role("button", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
