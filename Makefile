# `make run` serves the demo site; `make test` runs the test suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# axe-core, which the browser tests inject into pages to check accessibility, comes from
# the npm registry at the version tests/browser/package-lock.json pins.
NODE_MODULES := tests/browser/node_modules
AXE_STAMP := $(NODE_MODULES)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-browser lint install install-axe clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install-axe: $(AXE_STAMP)

# Without npm the browser tests still run; only their axe-core checks skip.
$(AXE_STAMP): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		echo "npm ci --prefix tests/browser"; \
		npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: not installing axe-core, so the browser tests skip their" \
			"accessibility checks (install Node.js and npm, then run make install-axe)"; \
	fi

# The demo site runs with DEBUG on unless the environment says otherwise.
run: export DEBUG ?= 1
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	@# The page dump has no date of its own: see "The demo site" in README.md.
	$(BIN)/python manage.py import_sources fixtures/ --undated-as 2014-08-08
	$(BIN)/python manage.py demo_accounts
	$(BIN)/python manage.py demo_content
	$(BIN)/python manage.py demo_images config/demo/demo-horizon.png
	@echo "Serving the site at http://$(HOST):$(PORT)/ (admin at /admin/)"
	@# The task worker sends the queued email (printed to this console with DEBUG on); it
	@# runs in the background and is stopped when runserver stops.
	$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP) $(AXE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

# Only the browser tests (Playwright driving /usr/bin/chromium); `make test` includes them.
test-browser: $(STAMP) $(AXE_STAMP)
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) $(NODE_MODULES) db.sqlite3 staticfiles .pytest_cache
