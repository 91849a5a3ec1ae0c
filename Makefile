# One command per job. Each first checks the system packages it needs (scripts/system-packages:
# installed with apt-get when run as root, else one line saying what to run), then sets up .venv
# (once, or again when pyproject.toml changes).
#   make demo   set up, then run the main job
#   make test   set up, then lint and run the whole test suite
# Conda users: `conda env create -f environment.yml`, activate it, then `make demo VENV=$CONDA_PREFIX`.

VENV ?= .venv
PYTHON := $(VENV)/bin/python
# nbgrader starts helper executables (alembic, jupyter) by name: keep the environment first on PATH.
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: setup demo test lint results

$(VENV)/.installed: pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet --editable '.[dev]'
	touch $@

setup: $(VENV)/.installed

demo:
	@scripts/system-packages demo
	@$(MAKE) --no-print-directory setup
	$(PYTHON) -m autograder demo

results: setup
	$(PYTHON) -m autograder results

lint: setup
	$(PYTHON) -m ruff check .

# The PostgreSQL URL comes from scripts/system-packages, which starts the server (or from
# COURSE_TEST_POSTGRES_URL when it is set).
test:
	@url=$$(scripts/system-packages test) && $(MAKE) --no-print-directory lint \
	  && COURSE_TEST_POSTGRES_URL="$$url" $(PYTHON) -m pytest -n 2 --dist loadscope --no-loadscope-reorder --durations=30
