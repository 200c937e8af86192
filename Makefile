# The two commands: `make run` (the portal on its embedded default: gunicorn, DEBUG off)
# and `make test` (the whole suite on a throwaway PostgreSQL and Redis). Both set up .venv
# themselves. `make dev` is `make run` with Django's auto-reloading debug server instead.
# `make backup` writes the database and the private files to one archive
# (var/backups/svd-portal-<time>.tar, or BACKUP=path); `make restore BACKUP=path` puts one
# back into an empty database and file store (FORCE=1 replaces what is there).
PYTHON ?= python3
VENV := .venv
PORT ?= 8000

.PHONY: run dev backup restore test test-cluster lint format audit clean bench bench-applications bench-panels bench-decisions bench-documents bench-awards bench-delivery bench-register bench-public

# Running needs only requirements.txt; the test, lint and audit tools come with `make test`.
$(VENV)/.installed-run: requirements.txt constraints.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.installed: $(VENV)/.installed-run requirements-dev.txt
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

run: $(VENV)/.installed-run
	PORT=$(PORT) scripts/run.sh

dev: $(VENV)/.installed-run
	PORT=$(PORT) scripts/run.sh --dev

backup: $(VENV)/.installed-run
	$(VENV)/bin/python manage.py backup$(if $(BACKUP), --output "$(BACKUP)")

restore: $(VENV)/.installed-run
	@test -n "$(BACKUP)" || { echo "Name the archive: make restore BACKUP=var/backups/svd-portal-….tar" >&2; exit 2; }
	$(VENV)/bin/python manage.py restore "$(BACKUP)"$(if $(FORCE), --force)

test: $(VENV)/.installed
	scripts/test.sh

# Two web instances behind nginx, two workers and one scheduler on shared PostgreSQL, Redis
# and an S3 bucket (about a minute): see scripts/test-cluster.sh.
test-cluster: $(VENV)/.installed
	scripts/test-cluster.sh

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

audit: $(VENV)/.installed
	scripts/audit.sh

clean:
	rm -rf $(VENV) var staticfiles db.sqlite3

$(VENV)/.bench-installed: $(VENV)/.installed requirements-bench.txt
	$(VENV)/bin/pip install --quiet -r requirements-bench.txt -c constraints.txt
	touch $@

# The load benchmark (about 15 minutes): Locust against gunicorn, see benchmarks/load/run.py.
bench: $(VENV)/.bench-installed
	scripts/with-services.sh $(VENV)/bin/python benchmarks/load/run.py

bench-applications: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=svd_portal.settings.test scripts/with-services.sh $(VENV)/bin/python benchmarks/applications.py

bench-panels: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=svd_portal.settings.test scripts/with-services.sh $(VENV)/bin/python benchmarks/panels.py

bench-decisions: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=svd_portal.settings.test scripts/with-services.sh $(VENV)/bin/python benchmarks/decisions.py

bench-awards: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=svd_portal.settings.test scripts/with-services.sh $(VENV)/bin/python benchmarks/awards.py

bench-delivery: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=svd_portal.settings.test scripts/with-services.sh $(VENV)/bin/python benchmarks/delivery.py

bench-register: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=svd_portal.settings.test scripts/with-services.sh $(VENV)/bin/python benchmarks/register.py

# The public pages under a crowd (about 8 minutes): wrk against gunicorn, each page's rate
# as a share of an empty view's, see benchmarks/public_pages.py.
bench-public: $(VENV)/.installed
	@command -v wrk >/dev/null || { [ "$$(id -u)" -eq 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || \
		{ echo "This needs wrk: sudo apt-get install wrk" >&2; exit 1; }
	scripts/with-services.sh $(VENV)/bin/python benchmarks/public_pages.py

bench-documents: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=svd_portal.settings.test scripts/with-services.sh $(VENV)/bin/python benchmarks/documents.py
