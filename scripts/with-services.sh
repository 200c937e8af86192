#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster and Redis server on free
# loopback ports (DATABASE_URL and REDIS_URL set for it), and stops both
# whatever the outcome. Used by `make test` and the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
# pdftotext and pdfsig check the signed decision PDFs in the tests.
command -v pdfsig >/dev/null || missing+=(poppler-utils)
# The signature block embeds DejaVu Sans (DECISION_STAMP_FONT), as the PDFs' text does.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# The browser tests drive Debian's Chromium (Playwright's own download is not used).
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "Installing ${missing[*]} …"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "This needs these Debian/Ubuntu packages: ${missing[*]}" >&2
        echo "Install them with: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PG_PORT=$(free_port)
REDIS_PORT=$(free_port)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/svd-services.XXXXXX")

as_pg() {
    # initdb refuses to run as root: run the cluster as the postgres user then.
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
    status=$?
    as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg" -m immediate -w stop >/dev/null 2>&1 || true
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    rm -rf "$TMP"
    exit $status
}
trap cleanup EXIT INT TERM

[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$TMP"
as_pg "$PG_BIN/initdb" -D "$TMP/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg" -l "$TMP/pg.log" -w -o \
    "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $TMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${PG_EXTRA_OPTIONS:-}" \
    start >/dev/null
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres svd_portal
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$TMP/redis.pid" --dir "$TMP" --logfile "$TMP/redis.log"
echo "PostgreSQL on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT (in $TMP)"

export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/svd_portal"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"

# Not exec: the trap must stop the services when the command ends.
"$@"
