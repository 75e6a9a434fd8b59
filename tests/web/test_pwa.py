"""The installed app: it opens offline from the service worker, with the last synced data marked as such."""

import requests

from tests.web.conftest import check_accessibility, load_axe, sign_in, wait_until_offline_ready


def test_the_app_opens_offline_with_the_last_synced_data_marked(page, context):
    sign_in(page, "liaison_ma")
    page.get_by_role("list", name="分包企业").get_by_role("listitem").first.wait_for()
    wait_until_offline_ready(page)
    context.set_offline(True)
    page.reload()  # the shell and its modules come from the service worker's cache
    page.get_by_role("status").filter(has_text="离线数据，同步于").wait_for()
    assert page.get_by_role("list", name="分包企业").get_by_role("listitem").count() >= 3
    page.get_by_role("link", name="临夏县清河源清真食品有限公司").click()
    page.get_by_role("heading", name="临夏县清河源清真食品有限公司").wait_for()
    assert page.get_by_text("一企一策").is_visible()


def test_the_manifest_names_the_app_and_its_icons_exist(base_url):
    manifest = requests.get(f"{base_url}/app/manifest.webmanifest", timeout=10)
    assert manifest.headers["Content-Type"].startswith("application/manifest+json")
    body = manifest.json()
    assert (body["name"], body["start_url"], body["scope"], body["display"]) == ("联企通", "/app/", "/app/", "standalone")
    sizes = set()
    for icon in body["icons"]:
        image = requests.get(base_url + icon["src"], timeout=10)
        assert (image.status_code, image.headers["Content-Type"]) == (200, "image/png")
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


def test_a_liaison_whose_session_ended_offline_signs_in_again_and_the_queue_is_sent(page, context, base_url):
    from tests.web.test_visits import api_login, fill_visit, visits_with

    sign_in(page, "liaison_ma")
    page.wait_for_url("**/app/enterprises")
    wait_until_offline_ready(page)
    page.goto("/app/visits/new?enterprise=1")
    page.get_by_label("情况摘要").wait_for()
    load_axe(page)
    context.set_offline(True)
    fill_visit(page, "离线走访：登录过期", [], ["冷库电费过高"])
    page.get_by_role("button", name="提交").click()
    page.get_by_role("link", name="待同步 1 条").wait_for()
    page.get_by_role("button", name="退出登录").click()  # offline: the tokens are forgotten here
    page.get_by_label("用户名").wait_for()
    check_accessibility(page, "login-offline")
    context.set_offline(False)
    sign_in(page, "liaison_ma")
    page.wait_for_url("**/app/enterprises")
    headers = api_login(base_url, "lxx_coord")
    for _ in range(60):
        if visits_with(base_url, headers, 1, "离线走访：登录过期"):
            break
        page.wait_for_timeout(300)
    [visit] = visits_with(base_url, headers, 1, "离线走访：登录过期")
    assert len(visit["problem_ids"]) == 1
    page.get_by_role("link", name="待同步 1 条").wait_for(state="detached")


def test_a_new_deployment_replaces_the_installed_app_and_offers_a_reload(page, _session_app, tmp_path):
    import shutil

    from api.web import WEB_DIR, Bundle

    sign_in(page, "liaison_ma")
    page.wait_for_url("**/app/enterprises")
    wait_until_offline_ready(page)
    old = page.evaluate("() => caches.keys()")
    deployed = tmp_path / "web"
    shutil.copytree(WEB_DIR, deployed)
    (deployed / "src" / "release.txt").write_text("next release\n")
    _session_app.extensions["web_bundle"] = new = Bundle(deployed)  # what a deployment serves
    try:
        page.evaluate("() => navigator.serviceWorker.getRegistration('/app/').then((r) => r.update())")
        page.get_by_role("status").filter(has_text="联企通已更新").wait_for()
        page.wait_for_function("(v) => caches.keys().then((k) => k.length === 1 && k[0] === 'lqt-shell-' + v)", arg=new.version)
        assert old != [f"lqt-shell-{new.version}"]
        page.get_by_role("button", name="刷新页面").click()
        page.get_by_role("list", name="分包企业").get_by_role("listitem").first.wait_for()
        assert page.evaluate("() => document.querySelector('meta[name=lqt-version]').content") == new.version
    finally:
        _session_app.extensions.pop("web_bundle")
