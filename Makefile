# Darkroom: the two newcomer commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.12, the Lambda runtime's. Found on PATH or in pyenv; override with PYTHON=...
# (A candidate must run: a pyenv shim is on PATH even when its version is not selected.)
PYTHON ?= $(shell for p in "$$(command -v python3.12)" \
	"$$(command -v pyenv >/dev/null && pyenv root)/versions/3.12.1/bin/python3.12" \
	"$$HOME/.pyenv/versions/3.12.1/bin/python3.12"; do \
	[ -x "$$p" ] && "$$p" -c "" 2>/dev/null && { echo "$$p"; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/darkroom_test

.PHONY: help setup sysdeps services run worker beat test test-jobs test-web test-web-postgres test-package \
	lint lint-policies format bench clean provision teardown package test-deploy

help:
	@echo "make run    set everything up and serve http://$(HOST):$(PORT) (SQLite, local files, inline jobs)"
	@echo "make test   set everything up and run the whole suite (lint, jobs, web on SQLite and PostgreSQL, browser, Lambda packages, deploy rehearsal)"
	@echo "make bench  benchmarks (renditions vs libvips, import time, memory)"
	@echo "make provision REGION=eu-west-1 [PROFILE=...] [ORIGIN=https://photos.example.com]"
	@echo "               [ASK_DB_URL=yes] [SUBNETS='subnet-a subnet-b'] [DB_SECURITY_GROUP=sg-...]"
	@echo "               [MAIL_FROM=photos@example.com] [ENDPOINT_URL=http://127.0.0.1:5000]"
	@echo "             create the AWS resources and write their names into zappa_settings.json"
	@echo "             (the database URL: DARKROOM_DATABASE_URL in the environment, or ASK_DB_URL=yes)"
	@echo "make teardown REGION=eu-west-1 [PROFILE=...] CONFIRM=yes"
	@echo "             remove everything provisioning and Zappa made (photos included)"
	@echo "make package the three Lambda zips (build/web.zip, thumbnails.zip, metadata.zip)"

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found: install it (pyenv install 3.12.1) or pass PYTHON=/path/to/python3.12"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(BIN)/.installed

# Debian packages the tests and benches use: Chromium (browser tests), ExifTool (metadata
# accuracy reference), libvips and hey (bench baseline, load generator). Installed only when
# missing.
sysdeps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v exiftool >/dev/null || missing="$$missing libimage-exiftool-perl"; \
	ls /usr/lib/*/libvips.so.42 >/dev/null 2>&1 || missing="$$missing libvips42"; \
	command -v hey >/dev/null || missing="$$missing hey"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

services:
	@bash .ci/services-up

# DEBUG is off unless asked for: a laptop asks (served static files, plain HTTP).
run: export DJANGO_DEBUG ?= true
run: setup
	$(BIN)/python manage.py migrate --noinput
	@$(BIN)/python manage.py ensure_superuser
	@echo "Mail (password resets): $${DJANGO_EMAIL:-printed here and saved as files in $${DJANGO_EMAIL_FILE_PATH:-var/mail}/} (DJANGO_EMAIL=ses|smtp|console to change)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: export DJANGO_DEBUG ?= true
worker: setup
	$(BIN)/celery -A webapp worker --loglevel=INFO --concurrency=2

# The periodic sweep for the Celery runner (one beat per deployment, beside the workers).
beat: setup
	mkdir -p var && $(BIN)/celery -A webapp beat --loglevel=INFO --schedule=var/celerybeat-schedule

# lint-imports: the architecture contracts in pyproject.toml (jobs never import Django or the
# web app; the photos app's layers point downward).
lint: setup lint-policies
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The three functions' roles and the deployer policy, as generated, through parliament (an
# IAM linter); the files under deploy/policies/ must be what the code generates.
lint-policies: setup
	$(BIN)/python -m deploy.lint

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The jobs run with no Django at all: proven by running them with the Django plugin off.
# (tests/bench: the benches' own tests, Django-free too; the benches run with `make bench`.)
test-jobs: setup sysdeps
	$(BIN)/python -m pytest -p no:django tests/jobs tests/bench

test-web: setup sysdeps services
	$(BIN)/python -m pytest --ds=webapp.settings tests/web

test-web-postgres: setup services
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest --ds=webapp.settings -m "not browser" tests/web

# The Lambda packages, built from requirements.txt alone and checked: Lambda's size limits,
# no test tools, no native library newer than the runtime's glibc, and each zip, run by its
# own handler with nothing else on the path, serving a request or processing a photo.
test-package: setup package
	$(BIN)/python -m pytest -p no:django tests/package

# The deployment rehearsed for real: moto's server enforcing IAM, `make provision`, the
# Zappa CLI's deploy/update/undeploy of the three stages, each function's deployed code run
# under its own role, then `make teardown`.
test-deploy: setup package
	$(BIN)/python -m pytest -p no:django tests/deploy

test: lint test-jobs test-web-postgres test-web test-package test-deploy

# The web cold start is measured on the zip that ships: package first.
bench: setup sysdeps services package
	$(BIN)/python tests/bench/run.py

# --- AWS ----------------------------------------------------------------------------------
# A second virtualenv with requirements.txt only: what it holds is exactly what Zappa zips.
# Rebuilt from scratch when requirements.txt changes, reused otherwise.
DEPLOY_VENV := .venv-deploy
# Where `make package` writes the zips, and which Zappa settings it packages (the rehearsal
# passes its own copy of zappa_settings.json, which `make provision` filled in).
BUILD ?= build
STAGES := web thumbnails metadata

# The database URL carries a password: never on make's command line (make echoes it), but
# from DARKROOM_DATABASE_URL in the environment or a prompt without echo (ASK_DB_URL=yes).
AWS_TARGET = $(if $(REGION),--region $(REGION)) $(if $(PROFILE),--profile $(PROFILE)) \
	$(if $(PREFIX),--prefix $(PREFIX)) $(if $(ENDPOINT_URL),--endpoint-url $(ENDPOINT_URL))

provision: setup
	$(BIN)/python -m deploy provision $(AWS_TARGET) \
		$(if $(ORIGIN),--site-origin $(ORIGIN)) $(if $(ASK_DB_URL),--ask-database-url) \
		$(foreach subnet,$(SUBNETS),--subnet-id $(subnet)) \
		$(if $(DB_SECURITY_GROUP),--database-security-group-id $(DB_SECURITY_GROUP)) \
		$(if $(MAIL_FROM),--mail-from $(MAIL_FROM)) \
		$(if $(SETTINGS_FILE),--settings-file $(SETTINGS_FILE))

teardown: setup
	$(BIN)/python -m deploy teardown $(AWS_TARGET) \
		$(if $(filter yes,$(CONFIRM)),--yes-delete-everything)

$(DEPLOY_VENV)/.installed: requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found: install it (pyenv install 3.12.1) or pass PYTHON=/path/to/python3.12"; exit 1; }
	rm -rf $(DEPLOY_VENV)
	$(PYTHON) -m venv $(DEPLOY_VENV)
	$(DEPLOY_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(DEPLOY_VENV)/bin/python -m pip install --quiet -r requirements.txt
	touch $@

# Bytecode Lambda can use. pip writes .pyc files checked against their source's modification
# time, and Zappa dates every file in the zip 1980-01-01: on Lambda no .pyc matches and, with
# /var/task read-only, every cold start compiles again each module it imports (about 1 s of
# CPU for the web function). Hash-based .pyc files (PEP 552) do not depend on dates: unchecked
# for the pinned dependencies (rebuilt with the virtualenv), checked for our own code.
$(DEPLOY_VENV)/.compiled: $(DEPLOY_VENV)/.installed
	$(DEPLOY_VENV)/bin/python -m compileall -q -f -j 0 --invalidation-mode unchecked-hash \
		"$$($(DEPLOY_VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
	touch $@

# The web function serves its static files (whitenoise), so they are collected into the zip;
# whitenoise reads every one at start-up, and the site speaks English only: the admin's
# select2 translations but English (43% of the files) stay out.
SELECT2_I18N := admin/js/vendor/select2/i18n
package: $(DEPLOY_VENV)/.compiled
	$(DEPLOY_VENV)/bin/python -m compileall -q -f --invalidation-mode checked-hash webapp jobs
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-only-key \
		$(DEPLOY_VENV)/bin/python manage.py collectstatic --noinput --clear --verbosity 0 \
		--ignore '$(SELECT2_I18N)/[!e]*.js' --ignore '$(SELECT2_I18N)/e[!n]*.js'
	mkdir -p $(BUILD)
	for stage in $(STAGES); do \
		VIRTUAL_ENV=$(CURDIR)/$(DEPLOY_VENV) PATH=$(CURDIR)/$(DEPLOY_VENV)/bin:$$PATH \
			$(DEPLOY_VENV)/bin/zappa package $$stage $(if $(SETTINGS_FILE),-s $(SETTINGS_FILE)) \
			-o $(BUILD)/$$stage.zip || exit 1; \
	done

clean:
	rm -rf $(VENV) $(DEPLOY_VENV) build var test-artifacts .pytest_cache .ruff_cache .hypothesis
