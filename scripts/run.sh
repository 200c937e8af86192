#!/usr/bin/env bash
# `make run`: the portal as it is meant to run on one machine. DEBUG is off (the portal's own
# 404 and 500 pages), gunicorn serves the pages and whitenoise the collected static files,
# and a real Celery worker does the background work. It runs on the embedded default
# (SQLite, kombu's filesystem broker), or on PostgreSQL / Redis when DATABASE_URL / REDIS_URL
# are set. `make dev` (scripts/run.sh --dev) runs Django's auto-reloading debug server instead.
#
# Ctrl-C or SIGTERM stops both: gunicorn finishes the requests under way and the worker
# makes a warm shutdown (running tasks finish); after 30 seconds whatever is left is killed.
# SEED_DEMO=0 skips the demo data; PORTAL_VAR_DIR (default var) holds the worker's log.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=false
if [ "${1:-}" = "--dev" ]; then dev=true; fi
PY=.venv/bin/python
export PORT=${PORT:-8000}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-svd_portal.settings.local}
# Whatever .env says: the product never shows Django's debug pages, development always does.
if $dev; then export DJANGO_DEBUG=1; else export DJANGO_DEBUG=0; fi
var_dir=${PORTAL_VAR_DIR:-var}
queue_dir=${CELERY_QUEUE_DIR:-var/celery}
mkdir -p "$queue_dir/queue" "$queue_dir/processed" "$var_dir/log"
# Prometheus counts (svd_portal/metrics.py) start again with each run: gunicorn's workers and
# the Celery worker's processes write theirs to files here, which /metrics adds up.
export METRICS_DIR=${METRICS_DIR:-$var_dir/metrics}
export PROMETHEUS_MULTIPROC_DIR=$METRICS_DIR
mkdir -p "$METRICS_DIR"
rm -f "$METRICS_DIR"/*.db

$PY manage.py migrate --noinput
# Decision PDFs are signed with DECISION_SIGNING_* when set, else a development certificate.
if [ -z "${DECISION_SIGNING_PKCS12:-}" ] && [ -z "${DECISION_SIGNING_KEY:-}" ]; then
    $PY manage.py create_signing_certificate
fi
if [ "${SEED_DEMO:-1}" != 0 ]; then
    $PY manage.py seed_demo
fi
if ! $dev; then
    # whitenoise serves STATIC_ROOT; the debug server serves the source folders itself.
    $PY manage.py collectstatic --noinput --verbosity 0
fi

web_pid=""
worker_pid=""
hurry=""
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
cleanup() {
    # A second Ctrl-C (or SIGTERM) stops waiting and kills what is left.
    trap 'hurry=1' INT TERM
    if alive "$web_pid"; then
        echo "Stopping the web server…"
        # Its whole process group: runserver's auto-reloader runs the server in a child.
        kill -TERM -- "-$web_pid" 2>/dev/null || true
    fi
    if alive "$worker_pid"; then
        echo "Stopping the Celery worker (warm shutdown: running tasks finish)…"
        # The main process only: it stops its pool itself once the tasks are done.
        kill -TERM "$worker_pid" 2>/dev/null || true
    fi
    local deadline=$((SECONDS + 30))
    while [ -z "$hurry" ] && [ "$SECONDS" -lt "$deadline" ] &&
        { alive "$web_pid" || alive "$worker_pid"; }; do
        sleep 0.2
    done
    for pid in $web_pid $worker_pid; do
        kill -KILL -- "-$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Each server in its own process group, so it can be stopped as a whole and a terminal's
# Ctrl-C reaches this script, which stops them in order, rather than both at once.
set -m
# -B runs the scheduler (rounds that close on their date) inside this one worker.
.venv/bin/celery -A svd_portal worker -B --schedule "$var_dir/celerybeat-schedule" \
    --loglevel=INFO --concurrency=2 --without-mingle --without-gossip \
    >"$var_dir/log/worker.log" 2>&1 &
worker_pid=$!
if $dev; then
    $PY manage.py runserver "127.0.0.1:${PORT}" &
else
    .venv/bin/gunicorn --config svd_portal/gunicorn.conf.py svd_portal.wsgi:application &
fi
web_pid=$!
set +m
echo "Celery worker started (pid $worker_pid, log $var_dir/log/worker.log)."
echo "The portal: http://127.0.0.1:${PORT}/  (Ctrl-C stops the web server and the worker)"

# Whichever ends first, by a signal to this script or by a crash, the other is stopped too.
status=0
wait -n || status=$?
echo "A server stopped (exit status $status); stopping the rest."
exit "$status"
