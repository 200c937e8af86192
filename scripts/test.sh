#!/usr/bin/env bash
# `make test`: lint, the import contracts (pyproject.toml), the migration check and the
# whole pytest suite (in two processes, then the browser journeys), on a throwaway PostgreSQL and Redis (scripts/with-services.sh),
# after pip-audit of the pinned packages (scripts/audit.sh). Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== pip-audit"
scripts/audit.sh

export DJANGO_SETTINGS_MODULE=svd_portal.settings.test
exec scripts/with-services.sh bash -c '
    set -euo pipefail
    echo "== ruff"
    .venv/bin/ruff check .
    .venv/bin/ruff format --check .
    echo "== import contracts"
    .venv/bin/lint-imports --no-cache
    echo "== migrations"
    .venv/bin/python manage.py makemigrations --check --dry-run
    echo "== pytest"
    if [ "$#" -gt 0 ]; then
        .venv/bin/pytest "$@"
    else
        # Two processes on the two cores, each with a database, Redis databases and
        # folders of its own (svd_portal/settings/test.py); then the browser journeys on
        # their own (Playwright keeps an event loop in its process that pyHanko, signing
        # PDFs in the other tests, cannot share). tests/cluster is `make test-cluster`.
        .venv/bin/pytest -n 2 --ignore=tests/browser --ignore=tests/cluster
        .venv/bin/pytest tests/browser
    fi
' test-suite "$@"
