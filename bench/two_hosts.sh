#!/usr/bin/env bash
# The README's deployment at two-host scale on this machine (bench/two_hosts.py says what it starts and checks):
# two app servers and two delivery workers behind nginx, one PostgreSQL, one Redis, then PASS/FAIL per
# guarantee. Installs nginx and redis-server from Debian when missing (as root). PostgreSQL: the server in
# TEST_DATABASE_URL when set, otherwise a throwaway cluster (scripts/with-postgres.sh). Everything it started
# is stopped on exit. `--quick` for a short load; `--keep-logs` keeps every log.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${missing[*]} (apt-get)" >&2
    # policy-rc.d keeps the packages' own services from starting: this script starts its own.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || \
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }
  else
    echo "${missing[*]} 未安装，且非 root 无法安装：两机部署无法启动" >&2
    exit 3
  fi
fi
export PATH="$PATH:/usr/sbin"
PY="${VENV:-.venv}/bin/python"
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  exec "$PY" bench/two_hosts.py "$@"
fi
exec scripts/with-postgres.sh "$PY" bench/two_hosts.py "$@"
