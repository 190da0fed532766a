# Presence: `make run` starts the dashboard on the embedded SQLite database with the demo trust;
# `make test` runs the whole test suite. Both install what they need first (idempotent).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
STAMP := $(VENV)/.installed

.PHONY: install run test browser-deps lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgres,bench]'
	touch $(STAMP)

run: install
	$(BIN)/presence init-db
	$(BIN)/presence demo --if-empty
	$(BIN)/streamlit run dashboard/app.py --server.port $(PORT)

# Debian's Chromium and its driver, for the real-browser tests (Playwright cannot download browsers here).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium chromium-driver >/dev/null; fi; \
	fi

test: install browser-deps
	$(BIN)/ruff check models analytics dashboard data presence_cli tools tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -q

lint: install
	$(BIN)/ruff check models analytics dashboard data presence_cli tools tests bench

clean:
	rm -rf $(VENV) presence.db presence.db-* .pytest_cache .mypy_cache test-artifacts
