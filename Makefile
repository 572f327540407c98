# One command to run the app, one to pass the tests. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: install browser postgres postgres-test run test lint format bench eval catalog adapter screenshots \
	wheel-check \
	clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	# PYTHONWARNINGS: setuptools' notice that an editable install is editable, nothing to act on
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium (and an emoji font) for the end-to-end browser test. Best effort: without
# root or apt the browser test is skipped, unless MOVIEREC_REQUIRE_BROWSER=1 (as in CI).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				chromium fonts-noto-color-emoji >/dev/null; \
		else echo "note: no chromium; the browser test will be skipped (apt-get install chromium)"; fi; }

# Debian's PostgreSQL server for the store tests on PostgreSQL. Best effort, like `browser`:
# without root or apt those tests are skipped, unless MOVIEREC_REQUIRE_POSTGRES=1 (as in CI).
postgres:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				postgresql >/dev/null; \
		else echo "note: no PostgreSQL server; its store tests will be skipped (apt-get install postgresql)"; fi; }

# The store tests on SQLite and on a throwaway PostgreSQL server (scripts/test_postgres.sh).
postgres-test: install postgres
	@env=$$(scripts/test_postgres.sh start) && eval "$$env" && \
		trap 'scripts/test_postgres.sh stop "$$MOVIEREC_TEST_POSTGRES_DIR"' EXIT && \
		MOVIEREC_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest -q tests/test_store_*.py

run: install
	$(BIN)/streamlit run app/main.py --server.port $(PORT) --server.headless true

# Two workers (one test file each at a time); the few `serial` tests first, on their own.
test: install browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m serial
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not serial"

# The wheel as users install it: built, installed into a fresh virtualenv, every command run.
wheel-check: install
	PYTHON=$(BIN)/python scripts/check_wheel.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python scripts/benchmark.py

# The offline evaluation on the project's MovieLens copy (needs ../shared; see docs/evaluation.md).
ML := ../shared/data/raw/ml-latest-small
eval: install
	$(BIN)/movierec eval --ratings $(ML)/ratings.csv --links $(ML)/links.csv

screenshots: install browser
	MOVIEREC_SCREENSHOTS=docs/screenshots MOVIEREC_REQUIRE_BROWSER=1 \
		$(BIN)/python -m pytest -q tests/test_browser.py

catalog: install
	$(BIN)/python scripts/build_default_catalog.py

# Re-train the shipped adapter (movierec/data/adapter) on all of ../shared's MovieLens likes and
# tags_dev; METRICS=a.json,b.json (scripts/evaluate_tuning.py results) go into its model card.
adapter: install
	$(BIN)/python scripts/train_default_adapter.py --ratings $(ML)/ratings.csv \
		--links $(ML)/links.csv --tags $(ML)/tags_dev.csv $(if $(METRICS),--metrics $(METRICS))

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
