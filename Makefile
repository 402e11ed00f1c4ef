# Two commands do everything on a fresh machine: `make run` (set up, index corpus/, web chat) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

# Offline by default: no model hub, no telemetry.
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1
export HF_HUB_DISABLE_TELEMETRY ?= 1
export GRADIO_ANALYTICS_ENABLED ?= False
export ANONYMIZED_TELEMETRY ?= False
export RAG_INDEX_DIR ?= .rag/index

.PHONY: setup run chat test eval

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

run: setup
	$(BIN)/rag serve --ingest corpus/

chat: setup
	$(BIN)/rag ingest corpus/
	$(BIN)/rag chat

test: setup
	$(BIN)/python -m pytest -q

# The dev, holdout and english suites need ../shared/data/press (see evals/dev.corpus.txt).
eval: setup
	$(BIN)/rag eval evals/founding.jsonl evals/dev.jsonl evals/holdout.jsonl evals/english.jsonl --out evals/runs/latest
