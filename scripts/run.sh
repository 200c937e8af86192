#!/usr/bin/env bash
# `make run`: the portal on its embedded default (SQLite, kombu's filesystem broker,
# a real Celery worker), or on PostgreSQL / Redis when DATABASE_URL / REDIS_URL are set.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PORT=${PORT:-8000}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-svd_portal.settings.local}
mkdir -p var/celery/queue var/celery/processed var/log

$PY manage.py migrate --noinput
# Decision PDFs are signed with DECISION_SIGNING_* when set, else a development certificate.
if [ -z "${DECISION_SIGNING_PKCS12:-}" ] && [ -z "${DECISION_SIGNING_KEY:-}" ]; then
    $PY manage.py create_signing_certificate
fi
$PY manage.py seed_demo

worker_pid=""
cleanup() {
    trap - EXIT INT TERM
    if [ -n "$worker_pid" ] && kill -0 "$worker_pid" 2>/dev/null; then
        echo "Stopping the Celery worker…"
        kill -TERM "$worker_pid" 2>/dev/null || true
        wait "$worker_pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT INT TERM

# -B runs the scheduler (rounds that close on their date) inside this one worker.
.venv/bin/celery -A svd_portal worker -B --schedule var/celerybeat-schedule --loglevel=INFO \
    --concurrency=2 --without-mingle --without-gossip >var/log/worker.log 2>&1 &
worker_pid=$!
echo "Celery worker started (pid $worker_pid, log var/log/worker.log)."
echo "The portal: http://127.0.0.1:${PORT}/  (Ctrl-C stops the web server and the worker)"

$PY manage.py runserver "127.0.0.1:${PORT}"
