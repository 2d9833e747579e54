# Darkroom: the two newcomer commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.12, the Lambda runtime's. Found on PATH or in pyenv; override with PYTHON=...
PYTHON ?= $(shell command -v python3.12 2>/dev/null || \
	{ command -v pyenv >/dev/null && ls "$$(pyenv root)/versions/3.12.1/bin/python3.12" 2>/dev/null; } || \
	ls "$$HOME/.pyenv/versions/3.12.1/bin/python3.12" 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/darkroom_test

.PHONY: help setup sysdeps services run worker test test-jobs test-web test-web-postgres lint format bench clean

help:
	@echo "make run    set everything up and serve http://$(HOST):$(PORT) (SQLite, local files, inline jobs)"
	@echo "make test   set everything up and run the whole suite (lint, jobs, web on SQLite and PostgreSQL, browser)"
	@echo "make bench  benchmarks (renditions vs libvips, import time, memory)"

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found: install it (pyenv install 3.12.1) or pass PYTHON=/path/to/python3.12"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(BIN)/.installed

# Debian packages the tests and benches use: Chromium (browser tests), ExifTool (metadata
# accuracy reference), libvips (bench baseline). Installed only when missing.
sysdeps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v exiftool >/dev/null || missing="$$missing libimage-exiftool-perl"; \
	ls /usr/lib/*/libvips.so.42 >/dev/null 2>&1 || missing="$$missing libvips42"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

services:
	@bash .ci/services-up

run: setup
	$(BIN)/python manage.py migrate --noinput
	@$(BIN)/python manage.py ensure_superuser
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: setup
	$(BIN)/celery -A webapp worker --loglevel=INFO --concurrency=2

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The jobs run with no Django at all: proven by running them with the Django plugin off.
test-jobs: setup sysdeps
	$(BIN)/python -m pytest -p no:django tests/jobs

test-web: setup sysdeps services
	$(BIN)/python -m pytest --ds=webapp.settings tests/web

test-web-postgres: setup services
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest --ds=webapp.settings -m "not browser" tests/web

test: lint test-jobs test-web-postgres test-web

bench: setup sysdeps
	$(BIN)/python tests/bench/run.py

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .ruff_cache
