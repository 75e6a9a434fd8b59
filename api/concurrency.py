"""ETag / If-None-Match / If-Match on versioned objects ("<version>")."""

from __future__ import annotations

import re

from flask import g, request

from services.errors import PreconditionRequired, VersionMismatch

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def _parse(header: str) -> int:
    match = _ETAG.match(header)
    if not match:
        raise VersionMismatch("If-Match 版本号格式无效")
    return int(match.group(1))


def required_if_match() -> int:
    """PATCH/PUT: the version the client last saw (428 if absent)."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
    return _parse(header)


def optional_if_match() -> int | None:
    header = request.headers.get("If-Match")
    return _parse(header) if header else None


def set_etag(version: int) -> None:
    g.etag_version = version


def apply_etag(response):
    """after_request: ETag on versioned single objects; 304 when the client has it already."""
    version = g.pop("etag_version", None)
    if version is None or response.status_code not in (200, 201):
        return response
    etag = f'"{version}"'
    response.headers["ETag"] = etag
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        candidates = [c.strip() for c in request.headers.get("If-None-Match", "").split(",")]
        if etag in candidates or f"W/{etag}" in candidates or "*" in candidates:
            response.status_code = 304
            response.set_data(b"")
            response.headers.pop("Content-Type", None)
            response.headers.pop("Content-Length", None)
    return response
