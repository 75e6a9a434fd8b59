"""对接 in the browser: a need published from the phone with the form built from /meta/need-kinds, 意向对接 on the
catalogue, the institution's 融资需求 with 提出授信意向 and 登记放款, 登记招聘, 对接会, the figures and the ranking."""

import requests

from tests.web.conftest import check_accessibility, sign_in
from tests.web.test_desk import check_desk, desk  # noqa: F401 - the desk fixture
from tests.web.test_desk import sign_in as desk_sign_in
from tests.web.test_visits import api_login


def api(base_url, username, path, **params):
    return requests.get(f"{base_url}/api/v1/{path}", params=params, headers=api_login(base_url, username), timeout=10).json()


def test_an_enterprise_publishes_a_financing_need_from_the_phone(page, base_url):
    sign_in(page, "ent_qhy")
    page.wait_for_url("**/app/requests")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="发布需求").click()
    page.get_by_label("需求类型").select_option(label="融资")
    page.get_by_label("融资金额（万元）").wait_for()
    check_accessibility(page, "enterprise-new-need")
    page.get_by_role("button", name="发布").click()
    assert "请先补全" in page.get_by_role("alert").inner_text()  # checked on the phone against the published bounds
    page.get_by_label("融资金额（万元）").fill("260")
    page.get_by_label("期限（月）").fill("18")
    page.get_by_label("资金用途").fill("扩建清真食品生产线")
    page.get_by_label("担保方式").select_option(label="抵押")
    page.get_by_role("button", name="发布").click()
    page.get_by_role("heading", name="融资需求 · 临夏县清河源清真食品有限公司").wait_for()
    assert page.get_by_text("对接中").first.is_visible()
    need_id = int(page.url.rsplit("/", 1)[1])
    need = api(base_url, "lxx_coord", f"needs/{need_id}")
    assert need["details"] == {"amount_10k": 260, "term_months": 18, "purpose": "扩建清真食品生产线", "guarantee": "collateral"}


def test_a_labor_need_takes_several_posts(page, base_url):
    sign_in(page, "ent_bs")
    page.wait_for_url("**/app/requests")
    page.goto("/app/needs/new")
    page.get_by_label("需求类型").select_option(label="用工")
    post = page.get_by_role("group", name="岗位 1")
    post.get_by_label("岗位名称").fill("理货员")
    post.get_by_label("招聘人数").fill("3")
    page.get_by_role("button", name="添加岗位").click()
    second = page.get_by_role("group", name="岗位 2")
    second.get_by_label("岗位名称").fill("配送司机")
    second.get_by_label("招聘人数").fill("2")
    page.get_by_label("最晚到岗日期").fill("2099-03-01")
    page.get_by_role("button", name="发布").click()
    page.get_by_role("heading", name="用工需求 · 康乐县百盛超市有限公司").wait_for()
    need = api(base_url, "kl_coord", f"needs/{int(page.url.rsplit('/', 1)[1])}")
    assert [(p["title"], p["count"], p["placed"]) for p in need["details"]["posts"]] == [("理货员", 3, 0), ("配送司机", 2, 0)]


def test_an_enterprise_expresses_interest_on_a_catalogue_entry(page, base_url):
    sign_in(page, "ent_qhy")
    page.wait_for_url("**/app/requests")
    page.goto("/app/catalogue")
    page.get_by_label("搜索").fill("牛奶")
    page.get_by_role("button", name="查询").click()
    entry = page.get_by_role("list", name="供需目录").get_by_role("listitem").filter(has_text="纯牛奶")
    entry.get_by_role("button", name="意向对接").click()
    check_accessibility(page, "enterprise-catalogue-interest")
    entry.get_by_label("留言").fill("希望采购用于员工福利")
    entry.get_by_role("button", name="确定").click()
    entry.get_by_text("已提出意向").wait_for()
    matches = api(base_url, "ent_qhy", "matches", status="requested")["items"]
    assert any(m["need"]["product"] == "纯牛奶 酸奶" and m["note"] == "希望采购用于员工福利" for m in matches)


def test_the_catalogue_side_confirms_the_match_and_sees_the_contact(page, base_url):
    sales = next(n for n in api(base_url, "liaison_ma", "needs", kind="sales", limit=100)["items"]
                 if n["details"]["product"] == "清真牛肉干")
    sign_in(page, "liaison_ma")
    page.wait_for_url("**/app/enterprises")
    page.goto(f"/app/needs/{sales['id']}")
    matches = page.get_by_role("list", name="供需对接")
    assert "确认对接后可见" in matches.inner_text()
    matches.get_by_role("button", name="确认对接").click()
    matches.get_by_text("已确认对接").wait_for()
    assert "确认对接后可见" not in matches.inner_text()


def test_an_institution_offers_credit_and_records_the_loan_from_its_inbox(desk, base_url):  # noqa: F811
    page = desk()
    desk_sign_in(page, "bank_lxns")
    page.wait_for_url("**/app/financing")
    page.get_by_role("heading", name="融资需求", level=2).wait_for()
    check_desk(page, "institution-financing")
    page.get_by_role("button", name="提出授信意向 临夏县北塬农机专业合作社").click()
    form = page.get_by_role("form", name="提出授信意向：临夏县北塬农机专业合作社")
    form.get_by_label("年利率（%）").fill("3.95")
    form.get_by_role("button", name="确定").click()
    form.wait_for(state="hidden")
    row = page.get_by_role("row").filter(has_text="临夏县北塬农机专业合作社")
    row.get_by_text("待企业选择").wait_for()
    page.get_by_role("button", name="登记放款 临夏县清河源清真食品有限公司").click()
    form = page.get_by_role("form", name="登记放款：临夏县清河源清真食品有限公司")
    form.get_by_label("放款金额（万元）").fill("450")
    form.get_by_role("button", name="确定").click()
    form.wait_for(state="hidden")
    page.get_by_role("row").filter(has_text="临夏县清河源清真食品有限公司").get_by_text("已放款").first.wait_for()
    qhy = next(n for n in api(base_url, "lx_coord", "needs", kind="financing", limit=100)["items"]
               if n["enterprise_name"].startswith("临夏县清河源") and n["details"]["amount_10k"] == 500)
    assert qhy["status"] == "fulfilled"


def test_a_refused_offer_shows_the_servers_reason(desk):  # noqa: F811
    page = desk()
    desk_sign_in(page, "bank_lxns")
    page.get_by_role("button", name="提出授信意向 临夏县北塬农机专业合作社").click()
    form = page.get_by_role("form", name="提出授信意向：临夏县北塬农机专业合作社")
    form.get_by_label("年利率（%）").fill("99")
    form.get_by_role("button", name="确定").click()
    assert "36" in form.get_by_role("alert").inner_text()


def test_a_coordinator_records_placements_and_organises_a_session(desk, base_url):  # noqa: F811
    page = desk()
    desk_sign_in(page, "lx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.goto("/app/labor")
    page.get_by_role("button", name="登记招聘 永靖县燎原乳业有限公司").click()
    form = page.get_by_role("form", name="登记招聘：永靖县燎原乳业有限公司")
    form.get_by_label("岗位").select_option(label="包装工（已招 0/10）")
    form.get_by_label("到岗人数").fill("4")
    form.get_by_role("button", name="确定").click()
    page.get_by_role("row").filter(has_text="永靖县燎原乳业").get_by_text("包装工 4/10").wait_for()
    check_desk(page, "coordinator-labor")
    page.goto("/app/sessions")
    page.get_by_role("button", name="组织对接会").click()
    form = page.get_by_role("form", name="组织对接会")
    form.get_by_label("类型").select_option(label="产供销对接会")
    form.get_by_label("名称").fill("临夏州清真食品产销对接会")
    form.get_by_label("地点").fill("临夏国际会展中心")
    form.get_by_role("checkbox").first.check()
    form.get_by_role("button", name="确定").click()
    page.get_by_role("heading", name="临夏州清真食品产销对接会（产供销对接会）").wait_for()
    check_desk(page, "coordinator-sessions")


def test_the_figures_and_the_ranking_show_as_tables_and_a_chart_and_export(desk, export_worker):  # noqa: F811
    export_worker()
    page = desk()
    desk_sign_in(page, "lx_coord")
    page.get_by_role("heading", name="问题台账", level=2).wait_for()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="对接统计").click()
    page.get_by_role("heading", name="对接统计 · 临夏回族自治州", level=2).wait_for()
    ranking = page.get_by_role("table", name="金融机构月度排名表")
    assert "临夏农商银行" in ranking.inner_text()
    page.locator("canvas").first.wait_for()  # ECharts draws after the table: wait, never race it
    assert page.locator("canvas").count() >= 1
    check_desk(page, "coordinator-need-figures")
    with page.expect_download() as info:
        page.get_by_role("button", name="导出排名 Excel").click()
    assert info.value.suggested_filename.endswith(".xlsx")


def test_a_problem_links_the_need_it_carries(page, base_url):
    problem = next(p for p in api(base_url, "liaison_ma", "problems", category="financing", limit=100)["items"]
                   if p["title"] == "流动资金贷款到期续贷困难")
    sign_in(page, "liaison_ma")
    page.wait_for_url("**/app/enterprises")
    page.goto(f"/app/problems/{problem['id']}")
    page.get_by_role("link", name="所附融资需求").click()
    page.get_by_role("heading", name="融资需求 · 临夏县俊林农牧科技有限公司").wait_for()
    assert page.get_by_role("list", name="授信意向").get_by_text("已放款").first.is_visible()
