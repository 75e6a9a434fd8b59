"""Rate-limit counters in a SQLite file that every worker process of one host shares.

The default storage of `make run`: with it the login limit, the anonymous limit and the per-user limits count
for the whole server, however many gunicorn workers serve it, with nothing else to install. Several hosts
share Redis instead (RATELIMIT_STORAGE_URI=redis://…). One upsert per hit, in WAL mode without fsync: the
counters are not worth a disk flush, and a lost window after a power cut only forgets some counts."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from flask import g, has_app_context
from limits.storage import Storage

SCHEME = "sqlite-file"


def _counted_in_request() -> dict:
    """The counts this request's own hits returned, by key: the rate-limit headers of the answer (remaining,
    reset) come from the request's hit instead of two more reads of the file. Nothing outlives the request (it
    lives in flask.g); outside a request nothing is remembered."""
    if not has_app_context():
        return {}
    counted = g.get("_rate_counts")
    if counted is None:
        counted = g._rate_counts = {}
    return counted


class SQLiteFileStorage(Storage):
    """`sqlite-file:///absolute/path.db`: fixed-window counters (the strategy Flask-Limiter uses by default)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        self.path = uri.split("://", 1)[1]
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._hits = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._connection().execute(
            "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at REAL NOT NULL)")

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread and process (a forked worker opens its own)."""
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        value, expires_at = self._connection().execute(
            "INSERT INTO counters (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "value = CASE WHEN expires_at <= ? THEN excluded.value ELSE value + excluded.value END, "
            "expires_at = CASE WHEN expires_at <= ? THEN excluded.expires_at ELSE expires_at END "
            "RETURNING value, expires_at",
            (key, amount, now + expiry, now, now)).fetchone()
        _counted_in_request()[key] = (value, expires_at)
        self._hits += 1
        if self._hits % 1000 == 0:  # expired windows go now and then
            self._connection().execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
        return value

    def get(self, key: str) -> int:
        counted = _counted_in_request().get(key)
        if counted is not None and counted[1] > time.time():
            return counted[0]
        row = self._connection().execute("SELECT value FROM counters WHERE key = ? AND expires_at > ?",
                                         (key, time.time())).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        counted = _counted_in_request().get(key)
        if counted is not None:
            return counted[1]
        row = self._connection().execute("SELECT expires_at FROM counters WHERE key = ?", (key,)).fetchone()
        return row[0] if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1")
            return True
        except sqlite3.Error:
            return False

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))
