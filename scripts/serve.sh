#!/usr/bin/env bash
# The server line of `make run`: 2 gunicorn workers × 4 threads. The default limiter storage is a SQLite file
# in instance/ that the workers share, so the rate limits and the login lockout count for the whole server;
# several hosts share Redis instead: RATELIMIT_STORAGE_URI=redis://… (README, deployment).
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${VENV:-.venv}/bin/gunicorn" --bind "${HOST:-127.0.0.1}:${PORT:-5000}" --worker-class gthread \
  --workers "${WORKERS:-2}" --threads "${THREADS:-4}" --access-logfile - "$@" wsgi:app
