# Mobilitas — the commands every developer and CI use. `make demo` and `make test` are all you need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
# The PostgreSQL server the suite also runs on when it is reachable (CI: local server, trust auth).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/mobilitas
TEST_ENV := SECRET_KEY=insecure-key-for-checks-only

.PHONY: demo test test-sqlite test-postgres lint migrations-check bench loadtest messages install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	DEBUG=1 $(BIN)/mobilitas migrate --no-input
	DEBUG=1 $(BIN)/mobilitas demo
	@echo "Serving http://127.0.0.1:8000 — log in as one of the demo accounts above, password demo (e.g. officer@upjv.demo)."
	@echo "A background worker runs beside the server; Ctrl-C stops both."
	DEBUG=1 $(BIN)/mobilitas db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/mobilitas runserver 127.0.0.1:8000

test: install-test lint migrations-check test-sqlite test-postgres

test-sqlite: install-test
	$(BIN)/pytest -n 2 -p no:cacheprovider

test-postgres: install-test
	@if $(BIN)/python -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" \
	    "$$(echo '$(TEST_DATABASE_URL)' | sed 's#/[^/]*$$#/postgres#')" 2>/dev/null; then \
	  echo "== The suite again on PostgreSQL ($(TEST_DATABASE_URL))"; \
	  DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -n 2 -p no:cacheprovider; \
	else \
	  echo "== PostgreSQL not reachable at $(TEST_DATABASE_URL): the PostgreSQL run is skipped"; \
	fi

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(TEST_ENV) $(BIN)/mypy src

migrations-check: install
	$(TEST_ENV) $(BIN)/mobilitas makemigrations --check --dry-run

# Benchmarks print what they measure; they assert nothing timed. They use their own SQLite file in var/
# (and a mobilitas_bench PostgreSQL database when one is reachable); each rolls back what it creates.
BENCH_DB := var/bench.sqlite3
BENCH_PG_ADMIN_URL ?= postgres://postgres@127.0.0.1:5432/postgres
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/mobilitas_bench
BENCH_DB_SCRIPTS := bench/bench_directory.py bench/agreements_list.py bench/agreements_import.py bench/catalogue_search.py bench/catalogue_matching_service.py
BENCH_PURE_SCRIPTS := bench/iia_hash.py bench/allocation.py bench/course_matching.py
bench: install
	mkdir -p var
	for script in $(BENCH_PURE_SCRIPTS); do echo "== $$script"; $(TEST_ENV) $(BIN)/python $$script || exit 1; done
	DATABASE_URL=sqlite:///$(CURDIR)/$(BENCH_DB) $(TEST_ENV) $(BIN)/mobilitas migrate --no-input -v 0
	DATABASE_URL=sqlite:///$(CURDIR)/$(BENCH_DB) $(TEST_ENV) $(BIN)/mobilitas import-institutions
	for script in $(BENCH_DB_SCRIPTS); do echo "== $$script (SQLite)"; \
	  DATABASE_URL=sqlite:///$(CURDIR)/$(BENCH_DB) $(TEST_ENV) $(BIN)/python $$script || exit 1; done
	@if $(BIN)/python -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" \
	    "$(BENCH_PG_ADMIN_URL)" 2>/dev/null; then \
	  $(BIN)/python -c "import psycopg, sys; c = psycopg.connect(sys.argv[1], autocommit=True); \
	    c.execute('DROP DATABASE IF EXISTS mobilitas_bench'); c.execute('CREATE DATABASE mobilitas_bench')" "$(BENCH_PG_ADMIN_URL)"; \
	  DATABASE_URL=$(BENCH_PG_URL) $(TEST_ENV) $(BIN)/mobilitas migrate --no-input -v 0 && \
	  DATABASE_URL=$(BENCH_PG_URL) $(TEST_ENV) $(BIN)/mobilitas import-institutions && \
	  for script in $(BENCH_DB_SCRIPTS); do echo "== $$script (PostgreSQL)"; \
	    DATABASE_URL=$(BENCH_PG_URL) $(TEST_ENV) $(BIN)/python $$script || exit 1; done; \
	else echo "PostgreSQL not reachable: the PostgreSQL benchmarks are skipped"; fi

# A deadline rush against gunicorn (4 workers) on PostgreSQL; prints submissions lost, errors and latencies.
loadtest: install
	$(BIN)/python bench/loadtest.py

messages: install
	cd src/mobilitas && DEBUG=1 ../../$(BIN)/mobilitas makemessages -l fr --no-obsolete --ignore 'static/*'
	cd src/mobilitas && DEBUG=1 ../../$(BIN)/mobilitas compilemessages -l fr

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
