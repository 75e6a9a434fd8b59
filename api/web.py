"""The web client: the files in web/ served as they are in the repository (nothing is built).

- `/` redirects to `/app/`; `/app/` and every deep link `/app/<path>` answer the shell (history routing).
- Assets live under `/app/s/<version>/…`, where the version is a hash of every file in web/: a new
  deployment changes every asset URL, so assets are cached for a year (`immutable`) and the shell,
  the service worker and the manifest are revalidated (`no-cache`, ETag).
- Each asset is gzip-compressed once, in memory; conditional requests answer 304.
- The shell has its own strict Content-Security-Policy: scripts and styles only from this origin,
  no inline script, no eval (the client uses Vue's runtime build and render functions).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, redirect, request

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
TEMPLATES = {"index.html", "sw.js", "manifest.webmanifest"}  # rendered with the version, never under /s/
SHELL_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
             "font-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
             "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/manifest+json", "image/svg")
# What the service worker stores on install so that the app opens offline (tests-only files stay out, and
# so do the desk workbench's libraries: phones never download them; the desk fetches them on first use).
NOT_PRECACHED = ("vendor/axe.min.js", "vendor/LICENSE", "vendor/NOTICE", "vendor/manifest.json",
                 "vendor/element-plus", "vendor/echarts")

bp = Blueprint("web", __name__)


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    mimetype: str
    etag: str


class Bundle:
    """Every file of web/, read once: contents, gzip variants, ETags and the deployment version."""

    def __init__(self, root: Path):
        self.root = root
        self.stamp = _stamp(root)
        files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
        digest = hashlib.sha256()
        self.assets: dict[str, Asset] = {}
        for path in files:
            name = path.relative_to(root).as_posix()
            body = path.read_bytes()
            file_hash = hashlib.sha256(body).hexdigest()
            digest.update(f"{name}\0{file_hash}\n".encode())
            if name not in TEMPLATES:
                self.assets[name] = _asset(name, body)
        self.version = digest.hexdigest()[:12]
        self.base = f"/app/s/{self.version}/"
        precache = [self.base + name for name in self.assets if not name.startswith(NOT_PRECACHED)]
        values = {"__VERSION__": self.version, "__BASE__": self.base,
                  "__PRECACHE__": json.dumps(["/app/", *precache])}
        self.rendered = {name: _asset(name, _render((root / name).read_text(encoding="utf-8"), values).encode())
                         for name in TEMPLATES}


def _render(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def _asset(name: str, body: bytes) -> Asset:
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if name.endswith(".webmanifest"):
        mimetype = "application/manifest+json"
    gzipped = gzip.compress(body, 9, mtime=0) if mimetype.startswith(COMPRESSIBLE) and len(body) > 512 else None
    return Asset(body, gzipped, mimetype, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


def _send(asset: Asset, cache_control: str) -> Response:
    use_gzip = asset.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", "").lower()
    etag = asset.etag[:-1] + '-gz"' if use_gzip else asset.etag
    tags = {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}
    if etag in tags or asset.etag in tags:
        response = Response(status=304)
    else:
        response = Response(asset.gzipped if use_gzip else asset.body, mimetype=asset.mimetype)
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
    if asset.mimetype.startswith("text/"):
        response.charset = "utf-8"
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = cache_control
    response.headers["Vary"] = "Accept-Encoding"
    return response


def _bundle() -> Bundle:
    from flask import current_app

    bundle = current_app.extensions.get("web_bundle")
    if bundle is None or (current_app.debug and bundle.stamp != _stamp(bundle.root)):
        bundle = current_app.extensions["web_bundle"] = Bundle(WEB_DIR)  # the debug server picks up edits
    return bundle


def _stamp(root: Path) -> tuple:
    return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()))


@bp.get("/")
def root():
    return redirect("/app/", code=302)


@bp.get("/app")
@bp.get("/app/")
@bp.get("/app/<path:deep_link>")
def shell(deep_link: str = ""):
    if request.path == "/app":
        return redirect("/app/", code=301)
    if deep_link.startswith("s/"):
        abort(404)  # an asset path that matched no file
    response = _send(_bundle().rendered["index.html"], "no-cache")
    response.headers["Content-Security-Policy"] = SHELL_CSP
    return response


@bp.get("/app/s/<version>/<path:name>")
def asset(version: str, name: str):
    bundle = _bundle()
    found = bundle.assets.get(name)
    if found is None:
        abort(404)
    # An old version's URL (a page loaded before a deployment) gets today's file, but not for a year.
    return _send(found, IMMUTABLE if version == bundle.version else "no-cache")


@bp.get("/app/sw.js")
def service_worker():
    response = _send(_bundle().rendered["sw.js"], "no-cache")
    response.headers["Service-Worker-Allowed"] = "/app/"
    response.headers["Content-Security-Policy"] = SHELL_CSP  # a worker's own fetches obey its CSP
    return response


@bp.get("/app/manifest.webmanifest")
def manifest():
    return _send(_bundle().rendered["manifest.webmanifest"], "no-cache")


ENDPOINTS = {f"web.{view.__name__}" for view in (root, shell, asset, service_worker, manifest)}


def register(app: Flask) -> None:
    """Mount the client; its files are public and, being cheap, not rate-limited per user."""
    from api.auth import PUBLIC_ENDPOINTS
    from api.extensions import limiter

    PUBLIC_ENDPOINTS.update(ENDPOINTS)
    limiter.exempt(bp)
    app.register_blueprint(bp)
