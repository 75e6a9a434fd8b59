"""清欠 in a real browser: the desk's list with filters, a case page with its plan editor (the difference to the
undisputed amount as you type) and a repayment, the monthly county table with its chart and export; on the phone,
the creditor's own cases and 确认销号."""

from io import BytesIO

import requests
from openpyxl import load_workbook

from tests.web.conftest import check_accessibility, sign_in as phone_sign_in
from tests.web import test_desk as desk_screens
from tests.web.test_desk import check_desk, sign_in
from tests.web.test_visits import api_login


desk = desk_screens.desk  # the desk workbench's page factory (1366×768, no script error, no CSP violation)


def _api(base_url, username):
    return api_login(base_url, username)


def _file(base_url, username, enterprise_name, amount="300.00", disputed="0"):
    headers = _api(base_url, username)
    enterprise = requests.get(f"{base_url}/api/v1/enterprises", params={"q": enterprise_name}, headers=headers,
                              timeout=10).json()["items"][0]
    response = requests.post(f"{base_url}/api/v1/arrears", headers=headers, timeout=10, json={
        "creditor_enterprise_id": enterprise["id"], "debtor_name": "临夏县交通运输局", "debtor_kind": "government",
        "origin": "农村公路养护工程款", "amount_10k": amount, "disputed_10k": disputed})
    assert response.status_code == 201, response.text
    return response.json()


def test_the_desk_lists_cases_with_filters_and_opens_the_supervised_one(desk):
    page = desk()
    sign_in(page, "lxx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="清欠").click()
    page.get_by_role("heading", name="清欠", level=2).wait_for()
    table = page.get_by_role("table", name="清欠案件")
    table.get_by_role("link").first.wait_for()
    page.get_by_label("督办").select_option(label="挂牌督办")
    page.wait_for_url("**supervised=true**")
    page.get_by_text("临夏县住房和城乡建设局").wait_for()
    assert table.get_by_text("临夏州建设投资（集团）有限公司").count() == 0
    check_desk(page, "arrears-list")
    table.get_by_role("link").first.click()
    page.wait_for_url("**/app/arrears/*")
    page.get_by_role("table", name="还款计划").wait_for()
    assert page.get_by_role("table", name="还款记录").get_by_role("row").count() == 1 + 4
    page.get_by_role("list", name="办理过程").get_by_text("督办", exact=True).wait_for()
    check_desk(page, "arrears-case")


def test_the_plan_editor_shows_the_difference_as_you_type_and_a_repayment_follows(desk, base_url):
    case = _file(base_url, "lxx_coord", "清河源", amount="300.00")
    page = desk()
    sign_in(page, "lxx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.goto(f"/app/arrears/{case['id']}")
    page.get_by_role("group", name="可执行的操作").get_by_role("button", name="制定还款计划").click()
    dialog = page.get_by_role("dialog", name="制定还款计划")
    dialog.get_by_label("第 1 个月金额（万元）").fill("100")
    status = dialog.get_by_role("status")
    assert "还差 200.00 万元" in status.inner_text()
    confirm = dialog.get_by_role("button", name="确定")
    assert confirm.is_disabled()
    dialog.get_by_role("button", name="添加月份").click()
    dialog.get_by_label("第 2 个月金额（万元）").fill("200.01")
    assert "多出 0.01 万元" in status.inner_text()
    dialog.get_by_label("第 2 个月金额（万元）").fill("200")
    assert "相符" in status.inner_text()
    confirm.click()
    dialog.wait_for(state="hidden")
    page.get_by_role("table", name="还款计划").get_by_role("row").nth(2).wait_for()
    page.locator(".arrears-status").get_by_text("清偿中").wait_for()

    page.get_by_role("group", name="可执行的操作").get_by_role("button", name="登记还款").click()
    dialog = page.get_by_role("dialog", name="登记还款")
    dialog.get_by_label("还款金额（万元）").fill("300.01")
    dialog.get_by_role("button", name="确定").click()
    assert "超过剩余" in dialog.get_by_role("alert").inner_text()  # the server's reason, never raw JSON
    dialog.get_by_label("还款金额（万元）").fill("120.50")
    dialog.get_by_label("凭证说明").fill("县财政国库支付")
    dialog.get_by_role("button", name="确定").click()
    dialog.wait_for(state="hidden")
    page.locator(".arrears-remaining").get_by_text("179.50 万元").wait_for()


def test_the_monthly_table_has_a_chart_and_exports_the_same_figures(desk, export_worker):
    export_worker()
    page = desk()
    sign_in(page, "lx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.goto("/app/arrears/monthly")
    table = page.get_by_role("table", name="县区清欠进度")
    table.get_by_role("cell", name="临夏县", exact=True).wait_for()
    page.get_by_role("img", name="清欠计划完成率（%）").first.wait_for()
    check_desk(page, "arrears-monthly")
    with page.expect_download() as caught:
        page.get_by_role("button", name="导出 Excel").click()
    download = caught.value
    assert download.suggested_filename.startswith("清欠月度通报")
    sheet = load_workbook(BytesIO(open(download.path(), "rb").read())).active
    assert "临夏县" in [row[1] for row in sheet.iter_rows(values_only=True)]


def test_the_creditor_confirms_a_cleared_case_on_the_phone(page, base_url):
    case = _file(base_url, "lxx_coord", "清河源", amount="20.00")
    headers = _api(base_url, "lxx_coord")
    paid = requests.post(f"{base_url}/api/v1/arrears/{case['id']}/repayments", headers=headers, timeout=10,
                         json={"paid_on": case["created_at"][:10], "amount_10k": "20.00", "note": "全部支付"})
    assert paid.json()["status"] == "cleared"
    phone_sign_in(page, "ent_qhy")
    page.wait_for_url("**/app/requests")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的清欠").click()
    mine = page.get_by_role("list", name="我的清欠")
    mine.get_by_text("待确认销号").wait_for()
    check_accessibility(page, "enterprise-my-arrears")
    mine.get_by_role("listitem").filter(has_text="待确认销号").get_by_role("link").click()
    page.get_by_role("button", name="确认销号").click()
    page.get_by_label("说明").fill("款项已全部到账")
    page.get_by_role("button", name="确定").click()
    page.locator(".arrears-status").get_by_text("已销号").wait_for()
    assert page.get_by_role("button", name="确认销号").count() == 0
    body = requests.get(f"{base_url}/api/v1/arrears/{case['id']}", headers=headers, timeout=10).json()
    assert body["status"] == "closed" and body["confirm_method"] == "self"


def test_a_liaison_confirms_by_recording_a_follow_up_call(page, base_url):
    case = _file(base_url, "lxx_coord", "清河源", amount="5.00")
    headers = _api(base_url, "lxx_coord")
    requests.post(f"{base_url}/api/v1/arrears/{case['id']}/repayments", headers=headers, timeout=10,
                  json={"paid_on": case["created_at"][:10], "amount_10k": "5.00"})
    phone_sign_in(page, "liaison_ma")
    page.wait_for_url("**/app/enterprises")
    page.goto(f"/app/my-arrears/{case['id']}")
    page.get_by_role("button", name="确认销号").click()
    page.get_by_label("回访方式").select_option(label="上门回访")
    page.get_by_label("回访情况").fill("上门核实，款项已到账")
    page.get_by_role("button", name="确定").click()
    page.locator(".arrears-status").get_by_text("已销号").wait_for()
    body = requests.get(f"{base_url}/api/v1/arrears/{case['id']}", headers=headers, timeout=10).json()
    assert body["confirm_method"] == "visit"


def test_a_coordinator_files_a_complex_case_on_the_desk_and_it_is_supervised(desk):
    page = desk()
    sign_in(page, "lxx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.goto("/app/arrears")
    page.get_by_role("button", name="登记案件").click()
    dialog = page.get_by_role("dialog", name="登记清欠案件")
    dialog.get_by_label("债权企业").select_option(label=dialog.get_by_label("债权企业").locator("option", has_text="清河源")
                                                .first.inner_text())
    dialog.get_by_role("textbox", name="债务人", exact=True).fill("临夏县水务局")
    dialog.get_by_label("债务人类型").select_option(label="政府部门")
    dialog.get_by_label("欠款金额（万元）").fill("12.345")
    dialog.get_by_role("button", name="确定").click()
    dialog.get_by_text("万元，最多两位小数").wait_for()  # checked before sending
    dialog.get_by_label("欠款金额（万元）").fill("180.50")
    dialog.get_by_label("疑难复杂（纳入州专班挂牌督办）").check()
    dialog.get_by_role("button", name="确定").click()
    page.wait_for_url("**/app/arrears/*")
    page.get_by_text("临夏回族自治州挂牌督办（疑难复杂）").wait_for()
    page.get_by_role("list", name="办理过程").get_by_text("督办", exact=True).wait_for()


def test_the_case_export_runs_as_a_job_with_the_lists_filters_and_downloads_the_workbook(desk, export_worker):
    export_worker()
    page = desk()
    sign_in(page, "lxx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.goto("/app/arrears?supervised=true")
    page.get_by_text("临夏县住房和城乡建设局").wait_for()
    with page.expect_download() as caught:
        with page.expect_response(lambda r: r.url.endswith("/api/v1/exports") and r.request.method == "POST") as posted:
            page.get_by_role("button", name="导出 Excel").click()
    assert posted.value.status == 202 and posted.value.json()["filters"] == {"supervised": "true"}
    assert caught.value.suggested_filename.startswith("清欠台账-")
    book = load_workbook(BytesIO(open(caught.value.path(), "rb").read()), read_only=True)
    assert book.sheetnames == ["清欠台账", "还款计划", "还款记录"]
    header, *cases = list(book["清欠台账"].iter_rows(values_only=True))
    assert cases and all(row[header.index("挂牌督办")] == "是" for row in cases)  # the list's filter, kept
