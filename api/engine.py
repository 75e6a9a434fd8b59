"""Engine options by backend: SQLite (a file, its folder made, a busy timeout) or PostgreSQL (a checked pool)."""

from __future__ import annotations

from pathlib import Path


def engine_options(config) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS for the configured database, keeping what the configuration already sets."""
    uri = config["SQLALCHEMY_DATABASE_URI"]
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        if uri.startswith("sqlite:///") and ":memory:" not in uri:
            Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        options.setdefault("connect_args", {"timeout": 30})
    else:
        options.setdefault("pool_pre_ping", True)
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 10)
    return options
