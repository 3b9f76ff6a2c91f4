# `make run` and `make test` set themselves up on a fresh clone: a .venv at the repo root with
# the pinned dependencies (constraints.txt), reinstalled when pyproject.toml or the pins change.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench system-packages

$(STAMP): pyproject.toml constraints.txt
	PYTHON=$(PYTHON) scripts/install-python $(VENV) dev
	touch $(STAMP)

.env: | $(STAMP)
	$(BIN)/iass-bot keys init

TEAMS_JS := bot/web/static/teams-js/MicrosoftTeams.min.js

$(TEAMS_JS): scripts/fetch-teams-js
	scripts/fetch-teams-js

GOVUK_FRONTEND := bot/web/static/govuk-frontend/govuk-frontend.min.css
AXE_CORE := tests/browser/axe-core/axe.min.js

$(GOVUK_FRONTEND) $(AXE_CORE) &: scripts/fetch-govuk-frontend
	scripts/fetch-govuk-frontend

run: $(STAMP) .env $(TEAMS_JS) $(GOVUK_FRONTEND)
	$(BIN)/iass-bot db upgrade
	$(BIN)/iass-bot serve --sandbox

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

system-packages:
	scripts/ensure-chromium
	scripts/ensure-espeak

unit: $(STAMP) system-packages $(TEAMS_JS) $(GOVUK_FRONTEND) $(AXE_CORE)
	$(BIN)/pytest

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python bench/gate.py
