# Two commands matter: `make run` and `make test` (see README.md); `make serve` tries production mode.
SHELL := /bin/bash
PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The served port reaches the settings too: SITE_URL (absolute links in emails, citations,
# print and the sitemap) follows it unless set. Set here for every process, because honcho
# gives each process after the first a PORT of its own (8100, 8200...).
export PORT
export SITE_URL ?= http://127.0.0.1:$(PORT)
# The processes of Procfile (`make serve`) or Procfile.dev (`make run`), run by honcho with
# the virtualenv first on PATH: Ctrl-C stops them all, and so does one that stops by itself
# (the log says which, and its exit code). docs/operations.md.
HONCHO = PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho

# The Python that .python-version names: pythonX.Y on PATH, else pyenv's.
PYTHON ?= $(shell command -v python$(PYTHON_VERSION) 2>/dev/null || pyenv which python$(PYTHON_VERSION) 2>/dev/null)

.PHONY: run serve test e2e fuzz lint format benchmark venv messages clean

venv: $(VENV)/.installed

# The public interface's gettext catalogues (locale/<language>/LC_MESSAGES/django.po),
# compiled with GNU gettext's msgfmt after editing a .po file. The compiled .mo files are
# committed, so running the site needs no gettext; a test checks they match the .po files.
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || { echo "error: msgfmt (GNU gettext) is needed to compile the translations: apt-get install -y gettext" >&2; exit 1; }
	@DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules >/dev/null

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$(PYTHON_VERSION)".split("."))))' 2>/dev/null; then \
		echo "error: Python $(PYTHON_VERSION) is needed (named in .python-version) and was not found." >&2; \
		echo "       Install it (e.g. 'pyenv install $(PYTHON_VERSION)') or run: make PYTHON=/path/to/python$(PYTHON_VERSION) ..." >&2; \
		exit 1; \
	fi
	@[ -x $(PY) ] || "$(PYTHON)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

run: export DEBUG ?= 1
run: export CONTENT_LANGUAGES ?= es
run: venv
	$(PY) manage.py ensure_database
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (admin: http://127.0.0.1:$(PORT)/admin/), with the task worker and the scheduler"
	$(HONCHO) start -f Procfile.dev -p $(PORT) || [ $$? -eq 130 ]  # 130: stopped with Ctrl-C

# Production mode on this machine: DEBUG off, gunicorn, the task worker and the scheduler, static files
# collected and served by WhiteNoise, on the database DATABASE_URL names (SQLite by default).
serve: export DEBUG = 0
serve: export SECRET_KEY ?= local-serve-only-not-secret
serve: export ALLOWED_HOSTS ?= localhost,127.0.0.1,[::1]
serve: export BIND ?= 127.0.0.1:$(PORT)
# Locally it is plain http, with no TLS proxy: Secure cookies would never come back and the
# HTTPS redirect would lead nowhere, so both are off here (and only here, unless set).
serve: export SECURE_COOKIES ?= 0
serve: export SECURE_SSL_REDIRECT ?= 0
# The page cache in files, so it outlives each recycled gunicorn worker (Redis with REDIS_URL).
serve: export CACHE_DIR ?= $(CURDIR)/.cache/pages
serve: venv
	$(PY) manage.py ensure_database
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input --verbosity 0
	@echo "Serving (DEBUG off) on http://$(BIND)/ (admin: /admin/), with the task worker and the scheduler"
	$(HONCHO) start -f Procfile -p $(PORT) || [ $$? -eq 130 ]  # 130: stopped with Ctrl-C

# The browser tests' checkers: axe-core and the Nu HTML Checker (vnu.jar), pinned in
# package-lock.json. --ignore-scripts: vnu-jar's install script would download a Java.
# Without npm the tests say so and skip those checks (CI fails them instead).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --ignore-scripts && touch $@; \
	else \
		echo "warning: npm not found: the accessibility and HTML checks will be skipped. Install Node.js and npm to run them." >&2; \
	fi

test: venv node_modules/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

e2e: venv node_modules/.installed
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

# The fuzz-marked tests with Hypothesis' "fuzz" profile (10,000+ examples each, random seed).
fuzz: venv
	$(PY) -m pytest -m fuzz --hypothesis-profile=fuzz --hypothesis-show-statistics -q $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The demo's answer page against a stock Wagtail page of the same answer (built in a throwaway
# virtualenv, .cache/wagtail-peer/venv, made by pip on the first run) and nginx, each middleware's cost, the public pages
# against one large answer (in the current database, rolled back), then the scale scenario:
# 10,000 answers in a throwaway database, gunicorn, nginx and wrk (a few minutes;
# BENCHMARK_ARGS="--quick --answers 2000" for a try).
benchmark: export DEBUG ?= 1
benchmark: venv
	$(PY) manage.py ensure_database
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo >/dev/null
	STATIC_MANIFEST=1 $(PY) manage.py collectstatic --no-input -v 0
	$(PY) manage.py benchmark_peer
	$(PY) manage.py benchmark_middleware
	$(PY) manage.py benchmark_public_pages
	$(PY) manage.py benchmark_scale $(BENCHMARK_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts node_modules
