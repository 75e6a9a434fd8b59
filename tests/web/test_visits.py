"""A liaison's visits through the browser: online, offline, a lost answer, a refusal — each arrives once."""

import io

import pytest
import requests
from PIL import Image

import time

from tests.web.conftest import check_accessibility, load_axe, sign_in, wait_until_offline_ready

PASSWORD = "Demo@2026"


def api_login(base_url, username):
    body = requests.post(f"{base_url}/api/v1/auth/login", json={"username": username, "password": PASSWORD}, timeout=10).json()
    return {"Authorization": f"Bearer {body['access_token']}"}


def visits_with(base_url, headers, enterprise_id, summary):
    items = requests.get(f"{base_url}/api/v1/visits", params={"enterprise": enterprise_id, "limit": 100},
                         headers=headers, timeout=10).json()["items"]
    return [v for v in items if v["summary"] == summary]


def wait_for_visit(page, base_url, headers, enterprise_id, summary, photos, within=30):
    """The visit once all its photos are in (the phone sends them after the visit). The page keeps
    running meanwhile (page.wait_for_timeout lets Playwright serve its routes)."""
    deadline = time.monotonic() + within
    while True:
        found = visits_with(base_url, headers, enterprise_id, summary)
        if found and len(found[0]["photos"]) == photos or time.monotonic() > deadline:
            assert len(found) == 1, found
            return found[0]
        page.wait_for_timeout(300)


@pytest.fixture
def photos(tmp_path):
    """Camera-sized JPEGs (2400×1800), which the phone must shrink before upload."""
    paths = []
    for n, colour in enumerate([(200, 30, 30), (30, 160, 60), (40, 60, 200)]):
        path = tmp_path / f"photo{n}.jpg"
        Image.new("RGB", (2400, 1800), colour).save(path, "JPEG", quality=95)
        paths.append(str(path))
    return paths


def open_visit_form(page, enterprise_id=1):
    sign_in(page, "liaison_ma")
    page.wait_for_url("**/app/enterprises")
    wait_until_offline_ready(page)
    page.goto(f"/app/visits/new?enterprise={enterprise_id}")
    page.get_by_label("情况摘要").wait_for()
    load_axe(page)


def fill_visit(page, summary, photo_paths, problems):
    page.get_by_label("走访方式").select_option("on_site")
    page.get_by_label("情况摘要").fill(summary)
    page.get_by_label("经营状态").select_option("resumed")
    page.get_by_label("在岗人数").fill("318")
    page.get_by_role("button", name="使用当前位置").click()
    page.get_by_text("北纬 35.6012").wait_for()
    if photo_paths:
        page.get_by_label("添加照片").set_input_files(photo_paths)
        page.get_by_role("list", name="已选照片").get_by_role("listitem").nth(len(photo_paths) - 1).wait_for()
    for n, title in enumerate(problems):
        page.get_by_role("button", name="添加问题").click()
        block = page.get_by_role("group", name=f"问题 {n + 1}")
        block.get_by_label("问题类别").select_option("labor")
        block.get_by_label("问题标题").fill(title)
        block.get_by_label("问题描述").fill(f"{title}：需要协调解决。")
        block.get_by_label("问题范围").select_option("county")
        block.get_by_label("紧急程度").select_option("normal")


def test_visit_with_a_problem_and_a_photo_arrives_once_though_its_first_answer_is_lost(page, base_url, photos):
    open_visit_form(page)
    check_accessibility(page, "liaison-visit-form")
    fill_visit(page, "在线走访：检查生产线", photos[:1], ["缺少叉车司机"])
    check_accessibility(page, "liaison-visit-form-filled")
    lost = []

    def lose_first_answer(route):
        if route.request.method == "POST" and not lost:
            response = route.fetch()  # the server does the work ...
            lost.append(response.status)
            route.abort("connectionreset")  # ... and the answer never reaches the phone
        else:
            route.continue_()

    page.route("**/api/v1/visits", lose_first_answer)
    page.get_by_role("button", name="提交").click()
    headers = api_login(base_url, "lxx_coord")
    visit = wait_for_visit(page, base_url, headers, 1, "在线走访：检查生产线", photos=1)  # resent with the same key
    page.get_by_role("link", name="待同步 1 条").wait_for(state="detached")
    assert lost == [201]
    assert len(visits_with(base_url, headers, 1, "在线走访：检查生产线")) == 1
    assert (visit["latitude"], visit["longitude"], visit["employees"]) == (35.6012, 103.2105, 318)
    assert len(visit["problem_ids"]) == 1 and len(visit["photos"]) == 1
    problem = requests.get(f"{base_url}/api/v1/problems/{visit['problem_ids'][0]}", headers=headers, timeout=10).json()
    assert problem["title"] == "缺少叉车司机"
    stored = requests.get(f"{base_url}{visit['photos'][0]['url']}", headers=headers, timeout=10)
    assert max(Image.open(io.BytesIO(stored.content)).size) == 1600  # resized on the phone


def test_offline_visit_with_two_problems_and_three_photos_waits_then_arrives_once(page, context, base_url, photos):
    open_visit_form(page)
    context.set_offline(True)
    fill_visit(page, "离线走访：网络不好", photos, ["原料运输受阻", "用电负荷不足"])
    page.get_by_role("button", name="提交").click()
    badge = page.get_by_role("link", name="待同步 1 条")
    badge.wait_for()
    assert page.get_by_role("status").filter(has_text="离线").count() >= 1
    headers = api_login(base_url, "lxx_coord")
    assert visits_with(base_url, headers, 1, "离线走访：网络不好") == []
    badge.click()
    page.get_by_role("list", name="待同步记录").get_by_text("待同步").wait_for()
    check_accessibility(page, "liaison-queue")
    context.set_offline(False)
    page.get_by_text("没有待同步的记录").wait_for(timeout=20_000)
    assert badge.count() == 0
    visit = wait_for_visit(page, base_url, headers, 1, "离线走访：网络不好", photos=3)
    assert len(visit["problem_ids"]) == 2 and len(visit["photos"]) == 3
    titles = {requests.get(f"{base_url}/api/v1/problems/{pid}", headers=headers, timeout=10).json()["title"]
              for pid in visit["problem_ids"]}
    assert titles == {"原料运输受阻", "用电负荷不足"}


def test_a_refused_queued_visit_stays_with_the_servers_reason_until_discarded(page, context, base_url):
    open_visit_form(page, enterprise_id=1)
    context.set_offline(True)
    fill_visit(page, "离线走访：分包已调整", [], [])
    page.get_by_role("button", name="提交").click()
    page.get_by_role("link", name="待同步 1 条").wait_for()
    # Meanwhile the coordinator ends the liaison's assignment to the enterprise: the server will refuse.
    coordinator = api_login(base_url, "lxx_coord")
    assignments = requests.get(f"{base_url}/api/v1/assignments", params={"enterprise": 1, "limit": 100},
                               headers=coordinator, timeout=10).json()["items"]
    for assignment in assignments:
        if assignment["enterprise_id"] == 1 and assignment["kind"] == "liaison" and not assignment["ended_on"]:
            ended = requests.post(f"{base_url}/api/v1/assignments/{assignment['id']}/end", json={},
                                  headers=coordinator, timeout=10)
            assert ended.status_code == 200, ended.text
    page.goto("/app/queue")  # a reload offline: the queue is in IndexedDB
    context.set_offline(False)
    refused = page.get_by_role("list", name="待同步记录").get_by_role("listitem")
    refused.get_by_text("被退回").wait_for(timeout=20_000)
    assert "退回原因" in refused.inner_text()
    check_accessibility(page, "liaison-queue-refused")
    page.reload()
    refused.get_by_text("被退回").wait_for()  # still there after a reload
    refused.get_by_role("button", name="放弃").click()
    page.get_by_role("dialog").get_by_role("button", name="放弃").click()
    page.get_by_text("没有待同步的记录").wait_for()
    assert visits_with(base_url, coordinator, 1, "离线走访：分包已调整") == []
