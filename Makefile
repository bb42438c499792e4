# Studyhall: `make run` serves the demo on SQLite, `make test` runs the whole
# suite on PostgreSQL and on SQLite. Both set everything up on a fresh clone.

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SQLITE_URL := sqlite:///$(CURDIR)/var/studyhall.sqlite3
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-postgres test-sqlite test-e2e browser gettext messages lint install staticfiles bench bench-faults bench-integrity clean

$(STAMP): pyproject.toml
	@python=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Host links printed by seed_demo and provision_host point at the server make run starts.
run: export STUDYHALL_SITE_URL ?= http://$(HOST):$(PORT)
# The demo's emails are files under var/mail/ unless DJANGO_EMAIL_URL says otherwise.
run: export DJANGO_EMAIL_URL ?= filemail://var/mail
run: $(STAMP)
	@mkdir -p var/mail
	DATABASE_URL=$${DATABASE_URL:-$(SQLITE_URL)} $(PY) manage.py migrate --no-input
	DATABASE_URL=$${DATABASE_URL:-$(SQLITE_URL)} $(PY) manage.py collectstatic --no-input --verbosity 0
	DATABASE_URL=$${DATABASE_URL:-$(SQLITE_URL)} $(PY) manage.py seed_demo
	@echo "Studyhall is at http://$(HOST):$(PORT)/ (staff: http://$(HOST):$(PORT)/admin/)"
	@echo "Emails: $$(echo "$$DJANGO_EMAIL_URL" | sed -E 's#//[^/@]*@#//#') (a background worker sends them; reminders are looked for every minute)"
	DATABASE_URL=$${DATABASE_URL:-$(SQLITE_URL)} scripts/serve-demo $(PY) $(HOST):$(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run

test: lint test-postgres test-sqlite

# The browser tests (marked e2e) run in the PostgreSQL pass, last, against a live server.
test-postgres: $(STAMP) browser gettext
	PYTHON=$(PY) STUDYHALL_EXPECT_DB=postgresql scripts/with-postgres $(PY) -m pytest $(PYTEST_ARGS)

test-sqlite: $(STAMP) gettext
	@mkdir -p var
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 STUDYHALL_EXPECT_DB=sqlite $(PY) -m pytest -m "not e2e" $(PYTEST_ARGS)

test-e2e: $(STAMP) browser
	PYTHON=$(PY) STUDYHALL_EXPECT_DB=postgresql scripts/with-postgres $(PY) -m pytest -m e2e $(PYTEST_ARGS)

# GNU gettext: the translation test extracts the project's strings with xgettext. The
# compiled catalogues (.mo) are committed, so serving needs no gettext.
gettext:
	@command -v xgettext >/dev/null && command -v msgfmt >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			mkdir -p var; echo "Installing GNU gettext for the translation test (apt-get install gettext)"; \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; } >var/apt-gettext.log 2>&1 \
				|| { echo "could not install gettext (see var/apt-gettext.log): install the gettext package" >&2; exit 2; }; \
		else \
			echo "the translation test needs GNU gettext: install the gettext package (apt-get install gettext)" >&2; exit 2; \
		fi; }

# After marking strings: extract them into locale/ar/LC_MESSAGES/*.po, translate the new
# entries there, then compile the .mo files (committed).
MESSAGE_IGNORES := --ignore='.venv/*' --ignore='var/*' --ignore='staticfiles/*' --ignore='tests/*' --ignore='*/tests/*' --ignore='bench/*' --ignore='static/vendor/*'
messages: $(STAMP) gettext
	$(PY) manage.py makemessages -l ar --no-location $(MESSAGE_IGNORES)
	$(PY) manage.py compilemessages -l ar --ignore='.venv/*' --ignore='var/*'

# Debian's Chromium for the browser tests (Playwright cannot download its own here).
# STUDYHALL_CHROMIUM names another binary.
browser:
	@mkdir -p var
	@if [ -n "$${STUDYHALL_CHROMIUM:-}" ]; then \
		[ -x "$$STUDYHALL_CHROMIUM" ] || { echo "STUDYHALL_CHROMIUM=$$STUDYHALL_CHROMIUM is not an executable file" >&2; exit 2; }; \
	elif ! command -v chromium >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Chromium for the browser tests (apt-get install chromium)"; \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >var/apt-chromium.log 2>&1 \
				|| { echo "could not install Chromium (see var/apt-chromium.log): install the chromium package or set STUDYHALL_CHROMIUM" >&2; exit 2; }; \
		else \
			echo "the browser tests need Chromium: install the chromium package (apt-get install chromium) or set STUDYHALL_CHROMIUM" >&2; exit 2; \
		fi; \
	fi

# The benchmarks serve with production's static storage, which reads the manifest that
# collectstatic writes: made here, so every bench target works on a fresh clone.
staticfiles: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.bench $(PY) manage.py collectstatic --no-input --verbosity 0

bench: $(STAMP) staticfiles
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
		|| { echo "make bench needs wrk: apt-get install wrk" >&2; exit 2; }
	PYTHON=$(PY) STUDYHALL_DB_NAME=studyhall_bench scripts/with-postgres $(PY) -m bench

bench-faults: $(STAMP) staticfiles
	PYTHON=$(PY) STUDYHALL_DB_NAME=studyhall_faults scripts/with-postgres $(PY) -m bench.faults

# BENCH_INTEGRITY_SIZES=100000 for a quick run (default: 100000,1000000).
bench-integrity: $(STAMP) staticfiles
	PYTHON=$(PY) STUDYHALL_DB_NAME=studyhall_bench_integrity scripts/with-postgres $(PY) -m bench.integrity

clean:
	rm -rf $(VENV) var/*.sqlite3 staticfiles .pytest_cache
