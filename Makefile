# Worker Fund: `make run` to try it, `make test` to check it. Nothing here needs a manual install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/worker_fund_test
PYTEST_WORKERS ?= 2

.PHONY: run test test-fast test-sqlite test-postgres lint bench browser pdf-tools clean messages catalogue translations

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# uv (from PyPI, into the venv) installs the same packages as pip, in seconds, not minutes
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/python -m uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $(INSTALLED)

## run: set up, upgrade the database, load demo data if it is empty, serve on 127.0.0.1:5000
## with the background-job worker (fund worker) beside it
run: $(INSTALLED) translations
	FUND_ENV=development $(BIN)/fund init-db
	FUND_ENV=development $(BIN)/fund demo --if-empty
	@echo "Worker Fund on http://127.0.0.1:5000 — demo users in README.md (password: worker-fund-demo)"
	@# The background worker runs beside the server and stops with it (Ctrl-C, or any exit).
	FUND_ENV=development $(BIN)/fund worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	FUND_ENV=development $(BIN)/fund serve --host 127.0.0.1 --port 5000

## messages: collect every string marked for translation into fund/translations/messages.pot
## and carry new ones into each language's catalogue (fund/translations/<lang>/LC_MESSAGES)
messages: $(INSTALLED)
	$(BIN)/python scripts/translatable.py
	$(BIN)/pybabel extract -F babel.cfg -k _l --project "Worker Fund" --no-wrap \
		--sort-by-file -o fund/translations/messages.pot .
	@if ls fund/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel update --no-wrap -i fund/translations/messages.pot -d fund/translations; fi

## catalogue LANG_CODE=bn: start a language's catalogue from the template, for a translator to fill in
catalogue: $(INSTALLED)
	@test -n "$(LANG_CODE)" || { echo "usage: make catalogue LANG_CODE=bn"; exit 2; }
	$(BIN)/pybabel init --no-wrap -i fund/translations/messages.pot -d fund/translations -l $(LANG_CODE)

## translations: compile the catalogues the app serves (none yet: English is the source)
translations: $(INSTALLED)
	@if ls fund/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile -d fund/translations; fi

## lint: ruff (rules and format), mypy (strict) and the import layers (lint-imports, README "Layout")
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

## browser: Debian's chromium for the Playwright tests (never a downloaded browser build)
browser:
	@bash scripts/ensure-chromium

## pdf-tools: Debian's poppler-utils (pdffonts, pdftotext), which the PDF tests read PDFs with
pdf-tools:
	@bash scripts/ensure-pdf-tools

## test: lint, then the whole suite on SQLite and on PostgreSQL
test: lint browser pdf-tools test-sqlite test-postgres

test-sqlite: $(INSTALLED) pdf-tools
	$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

test-postgres: $(INSTALLED) pdf-tools
	@if $(BIN)/python scripts/postgres_answers.py "$(PG_URL)"; then \
		TEST_DATABASE_URL="$(PG_URL)" $(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider -m "not browser"; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL does not answer at $(PG_URL): under CI that is a failure"; exit 1; \
	else \
		echo "PostgreSQL does not answer at $(PG_URL): PostgreSQL run skipped (set PG_URL to point at one)"; \
	fi

## test-fast: the quick local loop (SQLite, no slow or browser tests)
test-fast: $(INSTALLED) pdf-tools
	$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider -m "not slow and not browser"

## bench: print performance figures (never asserted); installs the optional `bench` extra
bench: $(INSTALLED)
	$(BIN)/python -m uv pip install --quiet --python $(BIN)/python -e '.[dev,bench]'
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done
	@if $(BIN)/python scripts/postgres_answers.py "$(PG_URL)"; then \
		for script in benchmarks/bench_*.py; do \
			if grep -q -- "--database-url" $$script; then echo "== $$script (PostgreSQL)"; \
			$(BIN)/python $$script --database-url "$(PG_URL)" || exit 1; fi; done; fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache artifacts
