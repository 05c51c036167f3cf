# Hearth: `make demo` to try it, `make test` to check it. Both work from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HEARTH := $(BIN)/hearth

.PHONY: demo test install system-deps assets messages browser-deps e2e-deps lint serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: system-deps $(VENV)/.installed assets messages

# Pango for PDF reports (WeasyPrint) and gettext for the catalogues, from Debian when missing.
system-deps:
	@ldconfig -p | grep -q libpangoft2 || (apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

assets: node_modules/.package-lock.json
	npm run --silent build

messages: | $(BIN)/python
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext)
	cd src/hearth && $(abspath $(BIN))/django-admin compilemessages --verbosity 0

demo: install
	$(HEARTH) demo

serve: install
	$(HEARTH) migrate && $(HEARTH) serve

browser-deps:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests bench scripts

# The whole suite on SQLite, then again on PostgreSQL when HEARTH_TEST_DATABASE_URL is set.
e2e-deps:
	scripts/setup-bluesky-e2e.sh

test: install browser-deps e2e-deps lint
	env -u HEARTH_TEST_DATABASE_URL $(BIN)/python -m pytest -m "" -q
	@if [ -n "$$HEARTH_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$HEARTH_TEST_DATABASE_URL"; \
		$(BIN)/python -m pytest -m "not e2e" -q --create-db; \
	fi

clean:
	rm -rf $(VENV) node_modules src/hearth/static/dist var
