# The two commands: `make run` (the portal on its embedded default: gunicorn, DEBUG off)
# and `make test` (the whole suite on a throwaway PostgreSQL and Redis). Both set up .venv
# themselves. `make dev` is `make run` with Django's auto-reloading debug server instead.
PYTHON ?= python3
VENV := .venv
PORT ?= 8000

.PHONY: run dev test lint format audit clean bench bench-applications bench-panels bench-decisions bench-documents bench-awards bench-delivery bench-register

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

test: $(VENV)/.installed
	scripts/test.sh

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

bench-documents: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=svd_portal.settings.test scripts/with-services.sh $(VENV)/bin/python benchmarks/documents.py
