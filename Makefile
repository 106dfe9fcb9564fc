# Two entry points, both starting from a bare machine with Python 3.11+ and make:
#   make preview   set up, import the seeds, build the archive and serve it with live reload
#   make test      set up (test extras, Chromium, the HTML and accessibility checkers), run the static checks
#                  (ruff, mypy) and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: preview site test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

site: $(STAMP)
	$(BIN)/python build.py import
	$(BIN)/python build.py build

preview: site
	$(BIN)/python build.py serve --open

# ruff (lint, including import order) and mypy (strict on briefings/) first: both are configured in pyproject.toml
test: $(STAMP)
	@sh tests/install-tools.sh
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

# make bench [BENCH_ARGS="--sizes 1000,10000,100000 --runs 3"]; the live-reload one: python -m bench latency
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf site .cache $(VENV)
