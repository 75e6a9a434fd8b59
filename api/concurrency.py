"""ETag / If-None-Match / If-Match on versioned objects ("<version>").

The server sends the strong validator `"<version>"`. What a client sends back is whatever reached
it, and compression on the way rewrites it: flask-compress makes `"5"` into `"5:gzip"` (a strong
ETag must differ per content-coding), Apache's mod_deflate into `"5-gzip"`, and nginx weakens it to
`W/"5"` when it gzips. Every one of those names the same version of the same object, so the one
parser below reads each form back to the version: `"5"`, `W/"5"`, `"5:gzip"`, `W/"5:gzip"`,
`"5-gzip"` (codings gzip, br, deflate, zstd), and a bare `5`. Anything else is not a version of ours.
"""

from __future__ import annotations

import re

from flask import g, request

from services.errors import PreconditionRequired, VersionMismatch

CODINGS = ("gzip", "br", "deflate", "zstd")
_ETAG = re.compile(r'^\s*(?:W/)?("?)(\d{1,9})(?:[:\-;](?:' + "|".join(CODINGS) + r'))?\1\s*$', re.I)


def parse_etag(value: str) -> int | None:
    """The version an entity tag names, in any of the forms above; None if it names none."""
    match = _ETAG.match(value)
    return int(match.group(2)) if match else None


def _parse(header: str) -> int:
    version = parse_etag(header)
    if version is None:
        raise VersionMismatch("If-Match 版本号格式无效")
    return version


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


def _none_match(header: str, version: int) -> bool:
    """If-None-Match is a list; weak comparison (RFC 9110 13.1.2), so W/ and codings all match."""
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or (candidate and parse_etag(candidate) == version):
            return True
    return False


def apply_etag(response):
    """after_request: ETag on versioned single objects; 304 when the client has it already."""
    version = g.pop("etag_version", None)
    if version is None or response.status_code not in (200, 201):
        return response
    response.headers["ETag"] = f'"{version}"'
    if request.method in ("GET", "HEAD") and response.status_code == 200 \
            and _none_match(request.headers.get("If-None-Match", ""), version):
        response.status_code = 304
        response.set_data(b"")
        response.headers.pop("Content-Type", None)
        response.headers.pop("Content-Length", None)
    return response
