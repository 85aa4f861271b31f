# Paragraf: `make demo` and `make test` work on a fresh Debian machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: demo test lint system-deps sample-site parse-accuracy clean

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || $(MAKE) --no-print-directory system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

# Debian packages: Python's venv when missing, Chromium for the browser tests.
system-deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    python3-venv chromium >/dev/null; \
	else echo "not root or no apt-get: install python3-venv and chromium yourself"; fi

demo: $(STAMP)
	$(VENV)/bin/paragraf demo

test: $(STAMP)
	@command -v chromium >/dev/null || $(MAKE) --no-print-directory system-deps || true
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .

sample-site: $(STAMP)
	$(PY) -m paragraf.sample_site.generate

parse-accuracy: $(STAMP)
	$(PY) benchmarks/parse_accuracy.py

clean:
	rm -rf $(VENV) paragraf-data .pytest_cache
