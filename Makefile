# The two commands of the README, each doing its own set-up on a fresh machine:
#   make demo   offline demo: serve the local mirrors, crawl them into data/demo.db, print a summary
#   make test   the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint system-deps install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,pg]"
	touch $(STAMP)

install: $(STAMP)

# Tools outside PyPI: antiword reads legacy .doc attachments. Installed with apt-get where we
# may (root on Debian/Ubuntu, as in CI); elsewhere .doc files are stored but marked not extracted.
system-deps:
	@if ! command -v antiword >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq antiword >/dev/null) \
	      || echo "note: could not install antiword; .doc attachments will not be extracted"; \
	  else echo "note: antiword not installed; .doc attachments will not be extracted"; fi; \
	fi

demo: install system-deps
	$(BIN)/govreports demo

# pytest exits 5 when it selects no test: for the whole suite that is a broken suite, say so.
test: install system-deps
	@$(BIN)/pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest selected no test - the suite is broken" >&2; exit 1; fi; \
	exit $$rc

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) data .pytest_cache .hypothesis
