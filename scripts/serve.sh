#!/usr/bin/env bash
# The server line of `make run`: one gunicorn process with threads, so that the rate limits and the login
# lockout count for the whole server with the default in-memory limiter storage. Several processes or hosts
# need a shared storage: RATELIMIT_STORAGE_URI=redis://… (README, deployment).
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${VENV:-.venv}/bin/gunicorn" --bind "${HOST:-127.0.0.1}:${PORT:-5000}" --worker-class gthread \
  --workers "${WORKERS:-1}" --threads "${THREADS:-8}" --access-logfile - "$@" wsgi:app
