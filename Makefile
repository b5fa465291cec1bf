# The two commands a new user needs: `make run` and `make test`. Both are idempotent.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install run test lint format bench bench-load system-deps translations clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)
	$(BIN)/pybabel compile --statistics -d lms/translations
	$(BIN)/lms assets compress >/dev/null

## translations: extract new interface strings and add them to the Urdu and Indonesian catalogues
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o lms/translations/messages.pot --project "Literacy LMS" .
	$(BIN)/pybabel update -w 100 -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching

## run: install, create/upgrade the database, load demo data, serve on http://$(HOST):$(PORT)
## (choose with `make run PORT=8080 HOST=0.0.0.0`) with the queue worker beside it; messages
## are printed to this console by default. Every printed link starts with LMS_PUBLIC_URL.
run: export LMS_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/lms init
	$(BIN)/lms demo
	BIN=$(BIN) scripts/serve --host $(HOST) --port $(PORT)

## test: install (Debian packages too), run the suite on SQLite, then on PostgreSQL if reachable
test: install system-deps
	scripts/run-tests

system-deps:
	scripts/system-deps
	cd tests/browser && npm install --no-audit --no-fund --silent

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check lms tests bench
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format lms tests bench

bench: install
	cd bench && npm install --no-audit --no-fund --silent
	$(BIN)/python bench/run.py

## bench-load: 2,000 simulated trainees against gunicorn + PostgreSQL + Redis + the worker,
## about 10 minutes (BENCH_LOAD_USERS, BENCH_LOAD_SECONDS: see bench/load.py); not in `bench`
bench-load: install
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
