# make demo: the embedded demo (no broker). make test: lint, types and the whole suite,
# against the project's own Kafka broker (started here if it is not running, stopped after).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test lint pytest tools bench bench-cues train-cues bench-pipeline bench-desktop bench-ingest soak kafka-up kafka-down clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[streams,dev]"
	touch $@

# make demo DESKTOP=1: the same calls with each agent's page in the browser (no broker).
demo: $(INSTALLED)
ifdef DESKTOP
	$(BIN)/agent-assist desktop --demo
else
	$(BIN)/agent-assist demo
endif

test: lint pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

tools:
	deploy/tools/install.sh

pytest: $(INSTALLED) tools
	@if deploy/kafka/kafka.sh status >/dev/null 2>&1; then \
		$(BIN)/python -m pytest; \
	else \
		deploy/kafka/kafka.sh up && { $(BIN)/python -m pytest; status=$$?; \
		deploy/kafka/kafka.sh down; exit $$status; }; \
	fi

kafka-up:
	deploy/kafka/kafka.sh up

kafka-down:
	deploy/kafka/kafka.sh down

bench: $(INSTALLED)
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/escalation_cues.py

bench-cues: $(INSTALLED)
	$(BIN)/python benchmarks/escalation_cues.py

# The escalation cue classifier, refitted on data/escalation/ (real sources and synthetic text).
train-cues: $(INSTALLED)
	$(BIN)/python training/train_cues.py

bench-pipeline: $(INSTALLED) kafka-up
	$(BIN)/python benchmarks/pipeline.py

bench-desktop: $(INSTALLED) kafka-up
	$(BIN)/python benchmarks/desktop.py

bench-ingest: $(INSTALLED) kafka-up
	$(BIN)/python benchmarks/ingest.py

# 30 minutes at 1,000 events/s: memory, descriptors, tables, lag and latency each minute.
soak: $(INSTALLED) kafka-up
	$(BIN)/python benchmarks/soak.py

clean:
	-deploy/kafka/kafka.sh down
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache .hypothesis
