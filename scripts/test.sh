#!/usr/bin/env bash
# `make test`: lint, the import contracts (pyproject.toml), the migration check and the
# whole pytest suite, on a throwaway PostgreSQL and Redis (scripts/with-services.sh),
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
    .venv/bin/pytest "$@"
' test-suite "$@"
