"""The desk workbench (工作台) in a real browser at 1366×768: the ledger, a problem's actions through
their forms, the race of two sessions, the export, the viewer's dashboard, accessibility."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest
import requests

from tests.web.conftest import load_axe
from tests.web.test_visits import api_login

DESK = {"width": 1366, "height": 768}
SCREENS_DIR = os.environ.get("LQT_SCREENS_DIR")


@pytest.fixture
def desk(browser, base_url):
    """A factory of signed-out desk pages, each in its own browser context (its own session); every
    page must end without a script error or a CSP violation."""
    opened = []

    def _open():
        context = browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=base_url,
                                      accept_downloads=True, reduced_motion="reduce")
        context.set_default_timeout(15_000)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(f"{error}\n{error.stack}"))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None)
        opened.append((context, errors))
        return page

    yield _open
    for context, errors in opened:
        context.close()
        assert errors == [], errors


@pytest.fixture(scope="module")
def actions(live_server):
    """The Chinese names of the workflow actions, as the server labels them (the buttons use these)."""
    return requests.get(f"{live_server}/api/v1/meta/enums", timeout=10).json()["problem_action"]


def sign_in(page, username):
    page.goto("/app/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("Demo@2026")
    page.get_by_role("button", name="登录").click()


def check_desk(page, name):
    """axe-core finds no serious or critical violation; the screen is saved when LQT_SCREENS_DIR is set."""
    load_axe(page)
    result = page.evaluate("async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
                           " return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)})); }")
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{name}: {json.dumps(bad, ensure_ascii=False)}"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= DESK["width"]  # no horizontal scrolling
    if SCREENS_DIR:
        Path(SCREENS_DIR).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENS_DIR) / f"desk-{name}.png"))


def act(page, name, fill=None):
    """Clicks the action's button, fills its form, presses 确定 and waits for the dialog to close."""
    page.get_by_role("group", name="可执行的操作").get_by_role("button", name=name, exact=True).click()
    dialog = page.get_by_role("dialog", name=name)
    dialog.wait_for()
    for label, value in (fill or {}).items():
        field = dialog.get_by_label(label)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    dialog.get_by_role("button", name="确定").click()
    dialog.wait_for(state="hidden")


def status_shown(page, text):
    page.locator(".problem-status").get_by_text(text, exact=True).wait_for()


def api_problem(base_url, username, problem_id):
    return requests.get(f"{base_url}/api/v1/problems/{problem_id}", headers=api_login(base_url, username), timeout=10).json()


def test_a_county_problem_goes_up_and_is_handled_to_the_end_through_the_desk(desk, base_url, actions):
    county = desk()
    sign_in(county, "lxx_coord")
    county.get_by_role("heading", name="问题台账", level=2).wait_for()  # the coordinator's home
    county.get_by_label("搜索").fill("熟练工招不到")  # the demo's ledger is longer than one page
    county.get_by_label("搜索").press("Enter")
    county.get_by_role("link", name="熟练工招不到，生产线开工不足").click()
    county.wait_for_url("**/app/problems/1")
    county.get_by_role("button", name="查看大图：照片 1").click()  # the liaison's photos, enlarged
    county.get_by_role("dialog", name="照片 1").get_by_role("img", name="照片 1（大图）").wait_for()
    county.keyboard.press("Escape")
    county.get_by_role("dialog", name="照片 1").wait_for(state="hidden")
    act(county, actions["reclassify"], {"问题范围": "跨县域", "理由": "招工涉及多个县，需跨县协调"})
    county.get_by_role("status").filter(has_text=f"已{actions['reclassify']}").wait_for()  # a toast
    county.locator(".facts").get_by_text("跨县域").wait_for()
    act(county, actions["escalate"], {"理由": "请州专班协调跨县招工"})
    status_shown(county, "待受理")
    county.get_by_text("州专班", exact=True).wait_for()  # the new level, without a reload
    assert not county.get_by_role("group", name="可执行的操作").get_by_role("button", name=actions["escalate"]).count()

    prefecture = desk()
    sign_in(prefecture, "lx_coord")
    prefecture.get_by_role("button", name="待我处理", exact=True).click()
    prefecture.wait_for_url(re.compile(r"view=mine"))
    prefecture.get_by_role("link", name="熟练工招不到，生产线开工不足").click()
    act(prefecture, actions["accept"], {"意见": "州专班受理"})
    status_shown(prefecture, "办理中")
    act(prefecture, actions["assign"], {"承办单位": "临夏州政府金融办（临夏回族自治州）"})
    prefecture.locator(".facts").get_by_text("临夏州政府金融办").wait_for()
    act(prefecture, actions["request_info"], {"需补充的内容": "请补充各工种的缺口人数"})
    status_shown(prefecture, "待补充")
    assert not prefecture.get_by_role("button", name=actions["resolve"]).count()

    # The enterprise answers from its phone meanwhile.
    answered = requests.post(f"{base_url}/api/v1/problems/1/supply_info", json={"answer": "缺挡车工 20 人、机修工 5 人"},
                             headers=api_login(base_url, "ent_qhy"), timeout=10)
    assert answered.status_code == 200, answered.text
    # And the dispatched department signs and reports (办结反馈): only then may the task force resolve.
    department = api_login(base_url, "dept_lx_jrb")
    task = requests.get(f"{base_url}/api/v1/tasks", params={"problem": 1}, headers=department, timeout=10).json()["items"][0]
    for step, body in (("sign", {}), ("report", {"result": "已协调专场招聘会"})):
        done = requests.post(f"{base_url}/api/v1/tasks/{task['id']}/{step}", json=body, headers=department, timeout=10)
        assert done.status_code == 200, done.text
    prefecture.reload()
    status_shown(prefecture, "办理中")
    act(prefecture, actions["resolve"], {"办理结果": "人社部门组织专场招聘会，已招到 25 人"})
    status_shown(prefecture, "已办结待评价")
    timeline = prefecture.get_by_role("list", name="办理过程").inner_text()
    for name in ("reclassify", "escalate", "accept", "assign", "request_info", "supply_info", "resolve"):
        assert actions[name] in timeline
    final = api_problem(base_url, "lx_coord", 1)
    assert (final["status"], final["level"], final["scope"], final["department_name"]) == (
        "resolved", "prefecture", "cross_county", "临夏州政府金融办")


def test_the_second_of_two_sessions_sees_the_servers_reason_and_the_fresh_state(desk, base_url, actions):
    first, second = desk(), desk()
    for page in (first, second):
        sign_in(page, "lx_coord")
        page.get_by_role("heading", name="问题台账", level=2).wait_for()
        page.goto("/app/problems/18")
        status_shown(page, "待受理")
    act(first, actions["accept"])
    status_shown(first, "办理中")

    # The second page still shows 待受理 and still offers 受理: its ETag is stale.
    second.get_by_role("group", name="可执行的操作").get_by_role("button", name=actions["accept"], exact=True).click()
    dialog = second.get_by_role("dialog", name=actions["accept"])
    with second.expect_response(lambda r: r.url.endswith("/problems/18/accept")) as refused:
        dialog.get_by_role("button", name="确定").click()
    assert refused.value.status in (409, 412)
    reason = refused.value.json()["detail"]
    alert = second.locator(".error-box[role=alert]")
    alert.wait_for()
    assert reason in alert.inner_text() and "{" not in alert.inner_text()
    status_shown(second, "办理中")  # the fresh problem, not the stale page
    assert not second.get_by_role("button", name=actions["accept"], exact=True).count()
    events = api_problem(base_url, "lx_coord", 18)["events"]
    names = [e["action"] for e in events]
    assert names[names.index("escalate") + 1:] == ["accept"]  # accepted once, by the first session


def test_the_export_button_downloads_a_workbook_of_the_filtered_rows(desk, base_url, export_worker):
    from openpyxl import load_workbook

    export_worker()
    page = desk()
    sign_in(page, "lx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.goto("/app/problems?status=in_progress")  # a deep link keeps its filters
    assert page.get_by_label("状态").input_value() == "in_progress"
    counted = page.get_by_role("status").filter(has_text="共 ")
    counted.wait_for()
    total = int(re.search(r"共 (\d+) 条", counted.inner_text()).group(1))
    assert total == page.locator(".ledger tbody tr").count() > 0
    with page.expect_download() as downloaded:
        page.get_by_role("button", name="导出 Excel").click()
    path = downloaded.value.path()
    assert downloaded.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(path).read_bytes()), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], [r for r in rows[1:] if any(r)]
    assert len(body) == total
    status_column = header.index("状态")
    assert {r[status_column] for r in body} == {"办理中"}
    page.get_by_role("status").filter(has_text="已导出").first.wait_for()  # a toast says it is done
    with page.expect_download() as downloaded:
        page.get_by_role("button", name="导出 CSV").click()
    assert downloaded.value.suggested_filename.endswith(".csv")
    table = list(csv.reader(io.StringIO(Path(downloaded.value.path()).read_text(encoding="utf-8-sig"))))
    assert len([r for r in table if r]) == 1 + total and "状态" in table[0]


def test_the_ledger_keeps_its_filters_in_the_url_remembers_them_and_opens_rows_by_keyboard(desk):
    page = desk()
    sign_in(page, "lx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.get_by_label("类别").select_option("supply")
    page.wait_for_url(re.compile(r"category=supply"))
    page.get_by_role("searchbox", name="搜索").fill("砂石")
    page.get_by_role("searchbox", name="搜索").press("Enter")
    page.wait_for_url(re.compile(r"q=%E7%A0%82%E7%9F%B3"))
    page.locator(".ledger tbody tr").first.wait_for()
    assert page.locator(".ledger tbody tr").count() == 1
    page.get_by_role("button", name="列设置").click()
    page.get_by_role("checkbox", name="企业").uncheck()
    assert not page.get_by_role("columnheader", name="企业").count()

    page.goto("/app/dashboard")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="问题台账").click()
    page.wait_for_url(re.compile(r"category=supply"))  # remembered in this browser
    page.locator(".ledger tbody tr").first.wait_for()
    assert not page.get_by_role("columnheader", name="企业").count()

    page.get_by_role("button", name="清除筛选").click()
    page.locator(".ledger tbody tr").nth(2).wait_for()
    page.locator("body").click(position={"x": 5, "y": 760})
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    second_title = page.locator(".ledger tbody tr").nth(1).get_by_role("link").inner_text()
    assert page.evaluate("() => document.activeElement.textContent") == second_title
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=second_title, level=2).wait_for()


def test_the_viewer_lands_on_the_dashboard_drills_down_and_has_no_action_buttons(desk):
    page = desk()
    sign_in(page, "lx_viewer")
    page.wait_for_url("**/app/dashboard")
    page.get_by_role("heading", name="日调度 · 临夏回族自治州").wait_for()
    figures = page.get_by_role("list", name="主要指标")
    assert "问题总数" in figures.inner_text()
    page.get_by_role("img", name=re.compile("^问题按状态")).wait_for()
    page.get_by_role("img", name=re.compile("^问题按类别")).wait_for()
    page.locator(".chart canvas").first.wait_for()  # ECharts drew
    check_desk(page, "dashboard")
    page.get_by_role("button", name="临夏县", exact=True).click()
    page.get_by_role("heading", name="日调度 · 临夏县").wait_for()
    page.get_by_label("日期").fill("2026-11-30")
    page.get_by_label("日期").dispatch_event("change")
    page.wait_for_url(re.compile(r"date=2026-11-30"))
    page.get_by_text("2026年11月30日 的数据").wait_for()

    page.goto("/app/problems/18")
    status_shown(page, "待受理")
    page.get_by_text("当前没有可执行的操作。").wait_for()
    assert not page.get_by_role("group", name="可执行的操作").count()


def test_the_desk_screens_have_no_serious_accessibility_violation(desk, actions):
    page = desk()
    sign_in(page, "lx_coord")
    page.locator(".ledger tbody tr").first.wait_for()
    page.locator(".quick-view .count").first.wait_for()  # each quick view's count (its name stays the view's)
    assert page.get_by_role("button", name="已超期", exact=True).is_visible()
    check_desk(page, "ledger")
    page.goto("/app/problems/18")
    status_shown(page, "待受理")
    similar = page.get_by_role("heading", name="相似问题").locator("xpath=..")
    similar.get_by_role("link").first.wait_for()  # open problems that look like this one, most alike first
    assert "相似度" in similar.inner_text()
    check_desk(page, "problem")
    page.get_by_role("button", name=actions["reject"]).click()
    page.get_by_role("dialog", name=actions["reject"]).get_by_label("理由").wait_for()
    check_desk(page, "problem-action-form")
    page.keyboard.press("Escape")
    for path, name, ready in (("/app/warnings", "warnings", ".ledger tbody tr"), ("/app/assessments", "assessments", ".ledger tbody tr"),
                              ("/app/dashboard", "dashboard-coordinator", ".chart canvas")):
        page.goto(path)
        page.locator(ready).first.wait_for()
        check_desk(page, name)

    admin = desk()
    sign_in(admin, "admin")
    admin.wait_for_url("**/app/users")
    admin.get_by_role("cell", name="lx_coord", exact=True).wait_for()
    check_desk(admin, "users")
    admin.goto("/app/holidays")
    admin.get_by_role("cell", name="元旦调休").wait_for()
    check_desk(admin, "holidays")


def test_a_coordinator_acknowledges_a_warning(desk, base_url):
    page = desk()
    sign_in(page, "lx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.goto("/app/warnings")
    page.get_by_role("button", name="确认预警 LX-2026-000018").first.click()
    dialog = page.get_by_role("dialog", name="确认预警")
    dialog.get_by_role("button", name="确定").click()
    assert "请填写处理说明" in dialog.get_by_role("alert").inner_text()
    dialog.get_by_label("处理说明").fill("已电话督促康乐县专班")
    dialog.get_by_role("button", name="确定").click()
    page.get_by_role("status").filter(has_text="已确认预警").wait_for()
    headers = api_login(base_url, "lx_coord")
    acknowledged = requests.get(f"{base_url}/api/v1/warnings", params={"state": "acknowledged", "limit": 100},
                                headers=headers, timeout=10).json()["items"]
    assert any(w["acknowledge_note"] == "已电话督促康乐县专班" for w in acknowledged)


def test_the_phone_shell_never_loads_or_precaches_the_desk_libraries(base_url):
    html = requests.get(f"{base_url}/app/", timeout=10).text
    assert "element-plus" not in html and "echarts" not in html
    worker = requests.get(f"{base_url}/app/sw.js", timeout=10).text
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", worker).group(1))
    assert precache and not any("element-plus" in url or "echarts" in url for url in precache)
    assert any(url.endswith("/src/screens/LedgerScreen.js") for url in precache)
    manifest = json.loads((Path(__file__).resolve().parents[2] / "web/vendor/manifest.json").read_text(encoding="utf-8"))
    pinned = {lib["name"]: lib["version"] for lib in manifest["libraries"]}
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned["element-plus"]) and re.fullmatch(r"\d+\.\d+\.\d+", pinned["echarts"])


def test_a_plan_is_edited_into_a_new_version_and_approved_by_the_county(desk, base_url):
    page = desk()
    sign_in(page, "lx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.goto("/app/plans")
    page.get_by_label("企业").select_option(label="临夏县清河源清真食品有限公司")
    page.get_by_text("第 2 版").first.wait_for()
    assert not page.get_by_role("button", name="审批通过").count()  # the 州 task force does not approve a county's plan
    page.get_by_role("button", name="编辑").click()
    page.get_by_role("button", name="添加措施").click()
    page.get_by_label("措施 3", exact=True).fill("协调金融办对接流动资金贷款")
    page.get_by_label("措施 3 责任部门").select_option(label="临夏州工业和信息化局")
    page.get_by_label("措施 3 完成时限").fill("2027-01-31")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("status").filter(has_text="已保存为新版本").wait_for()
    page.get_by_role("link", name="第 3 版").wait_for()
    assert page.get_by_role("cell", name="协调金融办对接流动资金贷款", exact=True).is_visible()
    check_desk(page, "plan")

    county = desk()
    sign_in(county, "lxx_coord")
    county.get_by_role("heading", name="问题台账", level=2).wait_for()
    county.goto(page.url)  # the same deep link
    county.get_by_role("link", name="第 3 版").wait_for()
    county.get_by_role("button", name="审批通过").click()
    county.get_by_role("status").filter(has_text="已审批通过").wait_for()
    county.get_by_text("已审批", exact=True).first.wait_for()
    enterprise_id = int(re.search(r"enterprise=(\d+)", page.url).group(1))
    saved = requests.get(f"{base_url}/api/v1/enterprises/{enterprise_id}/plan", headers=api_login(base_url, "lx_coord"), timeout=10).json()
    assert (saved["version"], saved["status"], saved["measures"][-1]["due_date"]) == (3, "approved", "2027-01-31")


def test_a_common_problem_is_grouped_from_problem_ids(desk, base_url):
    page = desk()
    sign_in(page, "lx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.goto("/app/common-problems")
    page.get_by_role("cell", name="跨县活畜与饲草调运协调", exact=True).wait_for()
    check_desk(page, "common-problems")
    page.get_by_role("button", name="新建共性问题").click()
    dialog = page.get_by_role("dialog", name="新建共性问题")
    dialog.get_by_label("名称").fill("冷链物流车辆通行")
    dialog.get_by_label("关联问题 ID").fill("9，15")
    dialog.get_by_role("button", name="确定").click()
    page.get_by_role("status").filter(has_text="已新建共性问题").wait_for()
    page.get_by_role("cell", name="冷链物流车辆通行", exact=True).wait_for()
    groups = requests.get(f"{base_url}/api/v1/common-problems", headers=api_login(base_url, "lx_coord"), timeout=10).json()["items"]
    assert [sorted(g["problem_ids"]) for g in groups if g["title"] == "冷链物流车辆通行"] == [[9, 15]]


def test_a_refused_action_keeps_its_form_open_with_the_servers_chinese_reason(desk, actions):
    page = desk()
    sign_in(page, "lx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.goto("/app/problems/18")
    status_shown(page, "待受理")
    page.get_by_role("group", name="可执行的操作").get_by_role("button", name=actions["reject"], exact=True).click()
    dialog = page.get_by_role("dialog", name=actions["reject"])
    dialog.get_by_role("button", name="确定").click()
    assert "请填写理由" in dialog.inner_text()  # checked before sending
    dialog.get_by_label("理由").fill("与已有问题重复")
    dialog.get_by_label("重复问题的编号（ID）").fill("999999")
    dialog.get_by_role("button", name="确定").click()
    alert = dialog.get_by_role("alert")
    alert.wait_for()
    assert "重复的问题不存在" in alert.inner_text() and "{" not in alert.inner_text()
    assert dialog.get_by_label("重复问题的编号（ID）").get_attribute("aria-invalid") == "true"
    page.keyboard.press("Escape")
    status_shown(page, "待受理")  # nothing changed


def test_an_internal_comment_is_marked_internal_on_the_timeline(desk, actions):
    page = desk()
    sign_in(page, "lx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.goto("/app/problems/18")
    status_shown(page, "待受理")
    page.get_by_role("group", name="可执行的操作").get_by_role("button", name=actions["comment"], exact=True).click()
    dialog = page.get_by_role("dialog", name=actions["comment"])
    dialog.get_by_label("留言内容").fill("先与积石山县沟通运输许可")
    dialog.get_by_label("仅内部可见（企业看不到）").check()
    dialog.get_by_role("button", name="确定").click()
    entry = page.get_by_role("list", name="办理过程").get_by_role("listitem").filter(has_text="先与积石山县沟通运输许可")
    entry.wait_for()
    assert "内部" in entry.inner_text()


def test_the_ledger_asks_for_its_rows_first_without_a_count_and_for_the_total_once(desk):
    page = desk()
    asked = []
    page.on("request", lambda r: asked.append(r.url.split("/api/v1", 1)[1]) if "/api/v1/problems?" in r.url else None)
    sign_in(page, "lx_coord")
    pager = page.locator(".pager [role=status]")
    pager.filter(has_text="第 1 / 2 页").wait_for()
    page.get_by_role("button", name="下一页").click()
    pager.filter(has_text="第 2 / 2 页").wait_for()
    pages = [a for a in asked if "limit=20" in a]
    assert len(pages) == 2 and not any("count=" in a for a in pages)
    assert asked[0] == pages[0]  # nothing is asked before the rows
    assert len([a for a in asked if a.startswith("/problems?limit=1&count=true")]) == 1


def test_the_ledger_pages_by_cursor_with_its_count(desk, base_url):
    headers = api_login(base_url, "lx_coord")
    for n in range(4):  # the demo's 30 problems of 临夏州 (18, and 12 more its departments work) and 4 more: two pages
        filed = requests.post(f"{base_url}/api/v1/problems", headers=headers, timeout=10, json={
            "enterprise_id": 1, "category": "labor", "title": f"分页用问题 {n}", "description": "用于翻页", "scope": "county"})
        assert filed.status_code == 201, filed.text
    page = desk()
    sign_in(page, "lx_coord")
    pager = page.locator(".pager [role=status]")
    pager.filter(has_text="共 34 条 · 第 1 / 2 页").wait_for()
    assert page.locator(".ledger tbody tr").count() == 20
    first_page = page.locator(".ledger tbody tr").first.inner_text()
    page.get_by_role("button", name="下一页").click()
    pager.filter(has_text="第 2 / 2 页").wait_for()
    assert page.locator(".ledger tbody tr").count() == 14
    assert page.get_by_role("button", name="下一页").is_disabled()
    page.get_by_role("button", name="上一页").click()
    pager.filter(has_text="第 1 / 2 页").wait_for()
    assert page.locator(".ledger tbody tr").first.inner_text() == first_page


def test_each_desk_role_lands_on_its_home(desk):
    for username, path, heading in (("lx_viewer", "/app/dashboard", "日调度 · 临夏回族自治州"), ("admin", "/app/users", "用户管理"),
                                    ("auditor", "/app/desk", "安全审计员 周敏（审计员）")):
        page = desk()
        sign_in(page, username)
        page.wait_for_url(f"**{path}")
        page.get_by_role("heading", name=heading, level=2).wait_for()
        assert page.get_by_role("button", name="退出登录").is_visible()


def test_the_province_puts_a_problem_under_supervision_with_a_deadline(desk, base_url, actions):
    page = desk()
    sign_in(page, "gs_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.goto("/app/problems/15")
    status_shown(page, "办理中")
    page.get_by_role("group", name="可执行的操作").get_by_role("button", name=actions["supervise"], exact=True).click()
    dialog = page.get_by_role("dialog", name=actions["supervise"])
    assert dialog.get_by_label("督办期限").get_attribute("type") == "datetime-local"  # a date-time in the schema
    dialog.get_by_label("督办期限").fill("2026-12-20T17:30")
    dialog.get_by_label("说明").fill("省专班挂牌督办，请州专班按期办结")
    dialog.get_by_role("button", name="确定").click()
    page.locator(".facts").get_by_text("督办中，期限 2026年12月20日 17:30").wait_for()
    assert page.get_by_role("button", name=actions["unsupervise"], exact=True).is_visible()
    supervised = api_problem(base_url, "gs_coord", 15)
    assert supervised["supervised"] and supervised["supervision_deadline"].startswith("2026-12-20T17:30:00+08:00")


def test_every_action_form_has_a_chinese_caption_for_each_field_of_its_schema(desk, actions):
    page = desk()
    sign_in(page, "lx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    forms = page.evaluate("""async (names) => {
      const base = document.querySelector('meta[name="lqt-base"]').content;
      const { actionFields } = await import(base + 'src/core/actions.js');
      const out = {};
      for (const name of names) out[name] = (await actionFields(name)).map((f) => [f.name, f.caption, f.kind]);
      return out;
    }""", [a for a in actions if a not in ("create", "update") and not a.startswith("task_")])
    # (task_* are the departments' steps on the timeline: their forms are the 待办任务 screen's.)
    assert set(forms) == {a for a in actions if not a.startswith("task_")} - {"create", "update"}
    for action, fields in forms.items():
        for name, caption, kind in fields:
            assert re.search(r"[\u4e00-\u9fff]", caption), (action, name, caption)  # never a raw field name
            assert kind in {"text", "longtext", "select", "departments", "multi-departments", "number", "datetime", "date",
                            "boolean", "check"}
    assert ["scope", "问题范围", "select"] in forms["reclassify"] and ["department_id", "承办单位", "departments"] in forms["assign"]
    assert ["deadline", "督办期限", "datetime"] in forms["supervise"] and ["approve", "是否同意", "boolean"] in forms["decide_extension"]


def test_rows_picked_in_the_ledger_are_grouped_as_one_common_problem(desk, base_url):
    page = desk()
    sign_in(page, "lx_coord")
    page.get_by_label("类别").select_option("logistics")
    page.wait_for_url(re.compile(r"category=logistics"))
    boxes = page.get_by_role("checkbox", name=re.compile(r"^选择 LX-"))
    boxes.nth(1).wait_for()
    numbers = []
    for i in range(2):
        boxes.nth(i).check()
        numbers.append(boxes.nth(i).get_attribute("aria-label").split()[1])
    page.get_by_role("region", name="已选的问题").get_by_text("已选 2 项").wait_for()
    page.get_by_role("button", name="归并为共性问题").click()
    dialog = page.get_by_role("dialog", name="归并为共性问题")
    dialog.get_by_role("button", name="确定").click()
    assert "请填写共性问题名称" in dialog.get_by_role("alert").inner_text()
    dialog.get_by_label("名称").fill("冷链与农机运输协调")
    dialog.get_by_role("button", name="确定").click()
    page.get_by_role("status").filter(has_text="已归并为共性问题").wait_for()
    headers = api_login(base_url, "lx_coord")
    groups = requests.get(f"{base_url}/api/v1/common-problems", headers=headers, timeout=10).json()["items"]
    grouped = [g for g in groups if g["title"] == "冷链与农机运输协调"]
    assert len(grouped) == 1
    linked = {requests.get(f"{base_url}/api/v1/problems/{pid}", headers=headers, timeout=10).json()["number"] for pid in grouped[0]["problem_ids"]}
    assert linked == set(numbers)


def test_an_export_button_starts_a_job_shows_its_progress_then_downloads(desk, base_url, export_worker):
    page = desk()
    sign_in(page, "lx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.goto("/app/problems?status=in_progress,pending")
    page.locator(".ledger tbody tr").first.wait_for()
    with page.expect_download() as downloaded:
        with page.expect_response(lambda r: r.url.endswith("/api/v1/exports") and r.request.method == "POST") as posted:
            page.get_by_role("button", name="导出 CSV").click()
        assert posted.value.status == 202
        job = posted.value.json()
        assert job["ledger"] == "problems" and job["format"] == "csv"
        assert job["filters"]["status"] == "in_progress,pending"
        progress = page.get_by_role("status", name="问题台账导出进度")
        progress.get_by_text("导出任务排队中…").wait_for()  # no worker yet: the job waits, the bar says so
        assert progress.get_by_role("progressbar").count() == 1
        export_worker()  # `flask deliver` comes up and runs it
    assert downloaded.value.suggested_filename.startswith("问题台账-") and downloaded.value.suggested_filename.endswith(".csv")
    table = list(csv.reader(io.StringIO(Path(downloaded.value.path()).read_text(encoding="utf-8-sig"))))
    finished = requests.get(f"{base_url}/api/v1/exports/{job['id']}", headers=api_login(base_url, "lx_coord"),
                            timeout=10).json()
    assert finished["state"] == "done" and len(table) == 1 + finished["progress"]["total"]
    page.get_by_role("status").filter(has_text="已导出").first.wait_for()
    assert page.get_by_role("status", name="问题台账导出进度").count() == 0  # the bar goes once the file is saved
