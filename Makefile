# Paragraf: `make demo` and `make test` work on a fresh Debian machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)

.PHONY: demo test lint system-deps sample-site parse-accuracy eval bench bench-cluster soak crawl-bench clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || $(MAKE) --no-print-directory system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

# Debian packages: Python's venv, Chromium for the browser tests, Swedish OCR,
# systemd-analyze for checking the unit files in deploy/, PostgreSQL for the
# store-of-record tests (the suite starts its own servers with initdb/pg_ctl).
DEBIAN_PACKAGES := python3-venv chromium ocrmypdf tesseract-ocr-swe systemd postgresql
system-deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    $(DEBIAN_PACKAGES) >/dev/null; \
	else echo "not root or no apt-get: install $(DEBIAN_PACKAGES) yourself"; fi

demo: $(STAMP)
	$(VENV)/bin/paragraf demo

test: $(STAMP)
	@command -v chromium >/dev/null && command -v ocrmypdf >/dev/null \
	  && command -v systemd-analyze >/dev/null \
	  && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	  && ls /usr/share/tesseract-ocr/*/tessdata/swe.traineddata >/dev/null 2>&1 \
	  || $(MAKE) --no-print-directory system-deps
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .

sample-site: $(STAMP)
	$(PY) -m paragraf_se.sample_site.generate

parse-accuracy: $(STAMP)
	$(PY) benchmarks/parse_accuracy.py

eval: $(STAMP)
	$(PY) benchmarks/eval_search.py

# Benchmark-only packages and Debian's PostgreSQL for the peer rows.
bench: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  apt-get install -y -qq postgresql >/dev/null; } || echo "no PostgreSQL: its row is skipped"
	$(PY) -m benchmarks.run $(foreach s,$(or $(BENCH_SIZES),50k 300k),--size $(s))

# Issue 14's figures: a private PostgreSQL, synced nodes, lag, one node against two.
bench-cluster: $(STAMP)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  apt-get install -y -qq postgresql >/dev/null; } || { echo "PostgreSQL needed"; exit 1; }
	$(PY) -m benchmarks.cluster $(foreach s,$(or $(BENCH_SIZES),50k),--size $(s))

soak: $(STAMP)
	$(PY) benchmarks/soak.py --duration 300 --clients 32

crawl-bench: $(STAMP)
	$(PY) benchmarks/crawl_throughput.py

clean:
	rm -rf $(VENV) paragraf-data .pytest_cache
