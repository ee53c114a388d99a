# Everyday commands. `make run` and `make test` set everything up on a bare machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup install lint format migrations-check messages bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

setup: install
	mkdir -p data
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_default_sop
	$(PY) manage.py seed_demo

run: setup
	$(PY) manage.py runserver 127.0.0.1:8000

# Production mode on this machine (README, "Deployment"): DEBUG off, a secret key of its own, static files
# collected, migrations applied, gunicorn with deploy/gunicorn.conf.py. Plain HTTP on loopback, so the
# HTTPS-only settings are off here; a real server puts a TLS proxy in front instead.
SERVE_BIND ?= 127.0.0.1:8000
SERVE_HOSTS ?= 127.0.0.1,localhost
SECRET_KEY_FILE := data/secret-key
SERVE_ENV = DEBUG=false SECRET_KEY="$$(cat $(SECRET_KEY_FILE))" ALLOWED_HOSTS=$(SERVE_HOSTS) \
	SITE_URL=http://$(SERVE_BIND) SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false

$(SECRET_KEY_FILE):
	mkdir -p data
	umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

.PHONY: serve
serve: install $(SECRET_KEY_FILE)
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) $(PY) manage.py createcachetable
	$(SERVE_ENV) $(PY) manage.py load_default_sop
	$(SERVE_ENV) GUNICORN_BIND=$(SERVE_BIND) $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

# Needs gettext (apt-get install gettext); the compiled .mo files are committed.
messages: install
	$(PY) manage.py makemessages -l id --no-location --no-obsolete --ignore=.venv --ignore=tests --ignore=test-artifacts --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv

# Speed of the PDF: render time at 10, 50, 200 indicators and serving a stored PDF (figures in README).
# Crafted Excel uploads, each refused in a fresh process: fails above 100 MB or 2 s (figures in README).
# The pages under load at 1k and 100k documents, SQLite and PostgreSQL, gunicorn (figures in README);
# BENCH=load-sqlite-1k (or load-sqlite-100k, load-pg-1k, load-pg-100k) runs one configuration.
bench: install
	$(PY) bench/pdf.py
	$(PY) bench/excel_bombs.py
	$(PY) bench/load.py $(BENCH)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
