# The commands of the README and CONTRIBUTING.md, each doing its own set-up on a fresh machine:
#   make demo        offline demo: serve the local mirrors, crawl them into data/demo.db, print a summary
#   make test        the whole test suite
#   make test-fast   parsing and unit tests: no crawl, no mirror server, no PostgreSQL (under a minute)
#   make lint        ruff check, ruff format --check, mypy (what CI runs before the tests)
#   make format      ruff format, then ruff check --fix
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test test-fast bench lint format system-deps install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,pg,serve,plot,s3,distributed]"
	touch $(STAMP)

install: $(STAMP)

# Tools outside PyPI, installed with apt-get where we may (root on Debian/Ubuntu, as in CI):
# LibreOffice (Writer, headless) converts legacy .doc attachments to DOCX, tables kept; antiword
# reads their text where LibreOffice is absent (without both they are stored, marked not extracted;
# the LibreOffice tests are skipped, except under CI where they must run);
# postgresql gives the storage tests a throwaway server (without it those variants are skipped,
# except under CI where they must run); a CJK font draws the Chinese labels of govreports plot/coverage.
# LibreOffice goes without recommended packages: 51 packages, ~250 MB installed, 56 s to download
# and install on the 2-core Debian 12 dev machine (measured 2026-12-03).
APT_PACKAGES := $(if $(shell command -v antiword),,antiword) \
                $(if $(shell command -v initdb || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null),,postgresql) \
                $(if $(shell fc-list :lang=zh 2>/dev/null),,fonts-wqy-zenhei)
LIBREOFFICE := $(if $(shell command -v soffice),,libreoffice)
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600
system-deps:
	@if [ -n "$(strip $(APT_PACKAGES) $(LIBREOFFICE))" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    $(APT_GET) update -qq || echo "note: apt-get update failed"; \
	    if [ -n "$(strip $(APT_PACKAGES))" ]; then \
	      echo "installing $(strip $(APT_PACKAGES)) with apt-get"; \
	      $(APT_GET) install -y -qq $(APT_PACKAGES) >/dev/null || echo "note: could not install $(strip $(APT_PACKAGES))"; \
	    fi; \
	    if [ -n "$(LIBREOFFICE)" ]; then \
	      echo "installing LibreOffice Writer (headless) with apt-get"; \
	      $(APT_GET) install -y -qq --no-install-recommends libreoffice-writer-nogui >/dev/null \
	        || $(APT_GET) install -y -qq --no-install-recommends libreoffice-writer >/dev/null \
	        || echo "note: could not install libreoffice-writer-nogui or libreoffice-writer"; \
	    fi; \
	  else echo "note: not installed (needs root and apt-get): $(strip $(APT_PACKAGES) $(LIBREOFFICE))"; fi; \
	fi

demo: install system-deps
	$(BIN)/govreports demo

# procrastinate jobs in a throwaway PostgreSQL, the raw archive in moto's S3 server (crawler/distributed/demo.py)
demo-distributed: install system-deps
	$(BIN)/python -m crawler.distributed.demo

# pytest exits 5 when it selects no test: for the whole suite that is a broken suite, say so.
# PYTEST_ARGS: more pytest arguments, e.g. make test-fast PYTEST_ARGS="-k metadata".
# PYTEST_WORKERS: pytest-xdist workers, each running whole test files (--dist loadfile: a module's
# shared fixtures, e.g. a crawl, are built once); PYTEST_WORKERS=0 runs in this process.
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 2
test: install system-deps
	@$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest selected no test - the suite is broken" >&2; exit 1; fi; \
	exit $$rc

# The fast loop: every test not marked e2e (a crawl, a mirror or another server) or postgres.
test-fast: install
	@$(BIN)/pytest -m "not e2e and not postgres" -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test-fast: pytest selected no test" >&2; exit 1; fi; \
	exit $$rc

# Benchmarks (a few minutes): synthetic mirrors in bench/out/, figures into bench/RESULTS.md.
bench: install system-deps
	$(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) data .pytest_cache .hypothesis .mypy_cache .ruff_cache
