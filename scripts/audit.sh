#!/usr/bin/env bash
# Checks every pinned package (constraints.txt) against the Python Packaging
# Advisory Database with pip-audit. It needs PyPI's per-release JSON (where the
# advisories are published) or the OSV API; when neither answers, it says so and
# skips rather than fail a test run made offline or behind a partial mirror.
set -uo pipefail
cd "$(dirname "$0")/.."

django=$(grep -i '^django==' constraints.txt | cut -d= -f3)
reachable() {
    .venv/bin/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10)' "$1" 2>/dev/null
}

if reachable "https://pypi.org/pypi/Django/$django/json"; then
    service=pypi
elif reachable "https://api.osv.dev/v1/vulns/PYSEC-2024-47"; then
    service=osv
else
    echo "pip-audit SKIPPED: neither PyPI's release JSON (https://pypi.org/pypi/Django/$django/json)"
    echo "nor the OSV API (https://api.osv.dev) answers from here, so the pinned packages"
    echo "cannot be checked for known vulnerabilities. Run 'make audit' where they can."
    exit 0
fi

echo "pip-audit: checking constraints.txt against the $service advisory service"
# --strict: a package that could not be checked is a failure, not a silent pass.
exec .venv/bin/pip-audit --requirement constraints.txt --no-deps --disable-pip --strict \
    --vulnerability-service "$service" --timeout 30 --progress-spinner off
