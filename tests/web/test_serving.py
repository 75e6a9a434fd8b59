"""How the app serves the web client, over real HTTP (no browser needed)."""

import hashlib
import json
import re
from pathlib import Path

import requests

from api.web import Bundle

WEB = Path(__file__).resolve().parents[2] / "web"


def shell(base_url, path="/app/"):
    return requests.get(base_url + path, timeout=10)


def test_root_redirects_to_the_app(base_url):
    response = requests.get(base_url + "/", allow_redirects=False, timeout=10)
    assert (response.status_code, response.headers["Location"]) == (302, "/app/")


def test_every_deep_link_answers_the_shell_with_its_own_strict_policy(base_url):
    for path in ("/app/", "/app/problems/42", "/app/policies/match", "/app/feedback/abc"):
        response = shell(base_url, path)
        assert response.status_code == 200 and "<title>联企通</title>" in response.text
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "unsafe-eval" not in policy and "unsafe-inline" not in policy
        assert response.headers["Cache-Control"] == "no-cache"


def test_the_shell_has_no_inline_script_and_names_no_other_host(base_url):
    html = shell(base_url).text
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert re.findall(r"https?://", html) == []


def test_assets_are_versioned_gzipped_and_cached_for_a_year(base_url):
    html = shell(base_url).text
    url = re.search(r'src="(/app/s/[0-9a-f]+/vendor/vant\.min\.js)"', html).group(1)
    response = requests.get(base_url + url, timeout=10)
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert hashlib.sha256(response.content).hexdigest() == hashlib.sha256((WEB / "vendor/vant.min.js").read_bytes()).hexdigest()
    again = requests.get(base_url + url, headers={"If-None-Match": response.headers["ETag"]}, timeout=10)
    assert again.status_code == 304


def test_an_old_versions_asset_url_is_not_cached_for_long(base_url):
    response = requests.get(base_url + "/app/s/0ldversion000/src/main.js", timeout=10)
    assert (response.status_code, response.headers["Cache-Control"]) == (200, "no-cache")


def test_an_unknown_asset_is_404_not_the_shell(base_url):
    assert requests.get(base_url + "/app/s/anything/src/nothing.js", timeout=10).status_code == 404


def test_the_service_worker_is_revalidated_and_scoped_to_the_app(base_url):
    response = requests.get(base_url + "/app/sw.js", timeout=10)
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/app/"
    assert "connect-src 'self'" in response.headers["Content-Security-Policy"]  # its own fetches obey it
    version = re.search(r'<meta name="lqt-version" content="([0-9a-f]+)">', shell(base_url).text).group(1)
    assert f'const VERSION = "{version}"' in response.text
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", response.text).group(1))
    assert "/app/" in precache and f"/app/s/{version}/src/screens/VisitScreen.js" in precache
    assert not any("axe" in url for url in precache)  # the tests' tool is not shipped to phones


def test_a_changed_file_is_a_new_deployment_version(tmp_path):
    for name in ("index.html", "sw.js", "manifest.webmanifest"):
        (tmp_path / name).write_text((WEB / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.js").write_text("console.log(1);\n")
    first = Bundle(tmp_path)
    (tmp_path / "src" / "main.js").write_text("console.log(2);\n")
    second = Bundle(tmp_path)
    assert first.version != second.version
    assert second.version.encode() in second.rendered["sw.js"].body
    assert second.rendered["index.html"].body != first.rendered["index.html"].body  # assets move to the new version's URLs


def test_vendored_libraries_match_their_manifest():
    manifest = json.loads((WEB / "vendor" / "manifest.json").read_text(encoding="utf-8"))
    for library in manifest["libraries"]:
        assert library["version"] and library["licence"]
        for item in library["files"]:
            assert hashlib.sha256((WEB / "vendor" / item["to"]).read_bytes()).hexdigest() == item["sha256"], item["to"]


def test_no_stylesheet_or_module_of_the_client_points_at_another_host():
    files = [*WEB.glob("src/**/*.js"), *WEB.glob("src/**/*.css"), WEB / "vendor" / "vant.css", WEB / "sw.js"]
    offenders = [str(f) for f in files if re.search(r"url\(\s*['\"]?(https?:)?//", f.read_text(encoding="utf-8"))
                 or re.search(r"""(import|fetch)\s*\(?\s*['"]https?://""", f.read_text(encoding="utf-8"))]
    assert offenders == []
