#!/usr/bin/env bash
# Throughput of our endpoints as ratios to a bare route measured in the same run (the machine is
# shared and noisy: never compare with a number from another day). Needs wrk (apt-get install wrk).
# Usage: bench/run.sh [sqlite|postgres]   (postgres: run inside scripts/with-postgres.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
BIN=.venv/bin
PORT=${PORT:-5099}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
WORK=$(mktemp -d /tmp/lqt-bench.XXXXXX)
trap 'kill $(cat "$WORK/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT
export FLASK_APP=wsgi INSTANCE_DIR="$WORK" API_RATE_LIMIT="1000000 per minute"
if [ "${1:-sqlite}" = postgres ]; then
  export DATABASE_URL="${TEST_DATABASE_URL:?run inside scripts/with-postgres.sh}"
else
  export DATABASE_URL="sqlite:///$WORK/bench.db"
fi
$BIN/flask db upgrade >/dev/null 2>&1
$BIN/flask seed-demo >/dev/null
$BIN/gunicorn --bind 127.0.0.1:$PORT --workers 2 --threads 4 --worker-class gthread --pid "$WORK/pid" \
  --daemon wsgi:app
for _ in $(seq 50); do curl -sf "127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
sleep 2  # gthread: let both workers start accepting before the load
TOKEN=$(curl -s -X POST "127.0.0.1:$PORT/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"lx_coord","password":"Demo@2026"}' | $BIN/python -c 'import sys,json;print(json.load(sys.stdin)["access_token"])')
rate() {
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$1" \
    | awk '/Requests\/sec/ {print $2}'
}
base=$(rate /healthz)
printf '%-48s %10s %8s\n' route "req/s" "ratio"
printf '%-48s %10.0f %8.2f\n' "/healthz (bare route, no DB)" "$base" 1
for route in /readyz /api/v1/me /api/v1/enterprises/1 "/api/v1/enterprises?limit=20" "/api/v1/problems?limit=20" \
             /api/v1/dashboard /api/v1/warnings; do
  r=$(rate "$route")
  printf '%-48s %10.0f %8.2f\n' "$route" "$r" "$(echo "$r / $base" | bc -l)"
done
