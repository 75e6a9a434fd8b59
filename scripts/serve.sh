#!/usr/bin/env bash
# The server line of `make run`: 2 gunicorn workers × 4 threads, and one delivery worker (`flask deliver`)
# beside them that sends the outbox; stopping this script (Ctrl-C, SIGTERM) stops both, and a worker that
# exits is started again while the web server runs. The default limiter storage is a SQLite file in instance/
# that the workers share, so the rate limits and the login lockout count for the whole server; several hosts
# share Redis instead: RATELIMIT_STORAGE_URI=redis://… (README, deployment). DELIVERY_WORKERS=0 starts no
# delivery worker (production runs it as its own service).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV:-.venv}/bin"
export FLASK_APP="${FLASK_APP:-wsgi}"

worker=""
start_worker() {
  if [ "${DELIVERY_WORKERS:-1}" != 0 ]; then
    "$BIN/flask" deliver &
    worker=$!
  fi
}

stop() {
  trap - INT TERM
  kill -TERM "$server" ${worker:+"$worker"} 2>/dev/null
  wait "$server" ${worker:+"$worker"} 2>/dev/null
  exit 0
}

"$BIN/gunicorn" --bind "${HOST:-127.0.0.1}:${PORT:-5000}" --worker-class gthread \
  --workers "${WORKERS:-2}" --threads "${THREADS:-4}" --access-logfile - "$@" wsgi:app &
server=$!
start_worker
trap stop INT TERM

status=0
while :; do
  wait -n "$server" ${worker:+"$worker"}
  status=$?
  kill -0 "$server" 2>/dev/null || break
  if [ -n "$worker" ] && ! kill -0 "$worker" 2>/dev/null; then
    echo "投递进程已退出，1 秒后重新启动" >&2
    sleep 1
    start_worker
  fi
done
# The web server ended on its own: the delivery worker goes with it, and the server's status is ours.
if [ -n "$worker" ]; then kill -TERM "$worker" 2>/dev/null; wait "$worker" 2>/dev/null; fi
exit "$status"
