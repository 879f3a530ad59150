# KDE Community — the README's commands. Everything the project needs is installed from here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app kde_community
PORT ?= 5000
export KDE_DATA_DIR ?= $(CURDIR)/instance

.PHONY: install run test lint translations db chromium redis wrk bench bench-search bench-relevance \
	bench-pages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

# No install scripts: none of our packages needs one (swagger-ui-dist's @scarf/scarf would
# only report the download).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# NL Design System CSS and the API documentation's renderer (Swagger UI) from npm, copied next
# to our own static files (not committed).
static/vendor/.installed: node_modules/.installed
	mkdir -p static/vendor/design-tokens static/vendor/component-library-css
	cp node_modules/@utrecht/design-tokens/dist/index.css static/vendor/design-tokens/index.css
	cp node_modules/@utrecht/component-library-css/dist/index.css static/vendor/component-library-css/index.css
	mkdir -p static/vendor/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
		node_modules/swagger-ui-dist/LICENSE node_modules/swagger-ui-dist/NOTICE static/vendor/swagger-ui/
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d kde_community/translations

install: $(VENV)/.installed static/vendor/.installed translations

db: install
	$(FLASK) db upgrade
	$(FLASK) data load-reference
	@if [ ! -f "$(KDE_DATA_DIR)/.demo-loaded" ]; then \
		$(FLASK) data load-demo && touch "$(KDE_DATA_DIR)/.demo-loaded"; fi

# Links in mails point at KDE_BASE_URL (never at the request's Host): here, this server.
# One worker beside the web server (search indexing and other background work); it stops when
# the server does, whether by Ctrl-C or because the server was killed.
run: db
	@echo "KDE Community: http://127.0.0.1:$(PORT) (and one worker)"
	@export KDE_BASE_URL="$${KDE_BASE_URL:-http://127.0.0.1:$(PORT)}"; \
	$(FLASK) worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Debian's Chromium drives the browser tests (never a downloaded browser build).
chromium:
	@if ! command -v chromium >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
		else echo "Install Debian's chromium (apt-get install chromium) for the browser tests" >&2; exit 1; fi; fi

# Debian's Redis: the limits test starts its own redis-server on a free port (shared limiter storage).
redis:
	@if ! command -v redis-server >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq redis-server; \
		else echo "Install Debian's redis-server (apt-get install redis-server) for the limits test" >&2; exit 1; fi; fi

# Two pytest-xdist workers, one test file at a time each; every test has its own SQLite file,
# and on PostgreSQL each worker its own database (KDE_DATABASE_URL's name + _gw0, _gw1). Tests
# marked `serial` (time limits, killed workers: tests/conftest.py) run afterwards in one
# process. PYTEST_WORKERS=0 runs everything in one process. Exit status 5 is "nothing
# selected here" (PYTEST_ARGS naming tests of one part only). PYTEST_ALSO narrows both parts
# by marker, e.g. PYTEST_ALSO="and not browser" (CI's PostgreSQL pass: a browser sees pages,
# not the database, and the pages ran against SQLite already).
PYTEST_WORKERS ?= 2
PYTEST_ALSO ?=
test: install chromium redis
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile -m "not serial $(PYTEST_ALSO)" $(PYTEST_ARGS) \
		|| [ $$? -eq 5 ]
	$(BIN)/pytest -n 0 -m "serial $(PYTEST_ALSO)" $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Benchmarks (not part of the test suite): ratios measured in one run on one machine.
bench-search: install
	$(BIN)/python bench/search_bench.py | tee bench/results-search.md

# Judged search relevance (bench/relevance/judgements.toml) on the reference and demo data, with
# the configured backend: MRR, recall@10 and each failed query; exit 1 below the floor.
bench-relevance: install
	$(BIN)/python bench/relevance/run.py

# Debian's wrk drives the page benchmark.
wrk:
	@if ! command -v wrk >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk; \
		else echo "Install Debian's wrk (apt-get install wrk) for the page benchmark" >&2; exit 1; fi; fi

# Page throughput under gunicorn (2 workers) as ratios to a bare Flask "hello" on the same
# server, visitor and member. The data (BENCH_N contributions, default 100,000) is generated
# into bench/data/ once; delete that directory (or run bench/generate.py) to regenerate.
BENCH_DURATION ?= 10
bench-pages: install wrk
	@if [ ! -f bench/data/targets.json ]; then $(BIN)/python bench/generate.py; fi
	BENCH_DURATION=$(BENCH_DURATION) $(BIN)/python bench/pages_bench.py | tee bench/results-pages.md

bench: bench-search bench-relevance bench-pages
