#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL cluster on loopback; TEST_DATABASE_URL points at it.
# Installs PostgreSQL with apt when no server binaries are found (needs root, as in CI).
set -euo pipefail

find_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

BINDIR=$(find_bindir || true)
if [ -z "${BINDIR}" ] || [ ! -x "${BINDIR}/initdb" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "PostgreSQL not found: installing it with apt-get" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    BINDIR=$(find_bindir)
  else
    echo "PostgreSQL is not installed and cannot be installed here" >&2
    exit 3
  fi
fi

DIR=$(mktemp -d /tmp/lqt-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$DIR"
  AS=(runuser -u postgres --)
else
  AS=()
fi
"${AS[@]}" "$BINDIR/initdb" -D "$DIR/data" --auth=trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
cleanup() {
  "${AS[@]}" "$BINDIR/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
"${AS[@]}" "$BINDIR/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w start -o \
  "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
export PG_BINDIR="$BINDIR" PG_DATADIR="$DIR/data" PG_RUNAS="${AS[*]}"
"$@"
