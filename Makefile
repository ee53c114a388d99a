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
bench: install
	$(PY) bench/pdf.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
