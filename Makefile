# The two commands a person needs are `make run` and `make test`; both install what is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
TOOLS := .tools
PDM := $(TOOLS)/bin/pdm
export PDM_CHECK_UPDATE := false

.PHONY: run test lint format migrate bench demo clean clean-data

$(PDM):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --upgrade pip
	$(TOOLS)/bin/pip install --quiet 'pdm[locked]'

# The project and libs/ (service_kit, contracts) install editable: no PYTHONPATH needed.
.venv/.installed: pyproject.toml libs/pyproject.toml pdm.lock | $(PDM)
	$(PDM) config --local python.use_venv true
	$(PDM) use --quiet -f $(PYTHON)
	$(PDM) install --frozen-lockfile -G :all
	@touch $@

run: .venv/.installed
	$(PDM) run python -m service_kit.devstack run

migrate: .venv/.installed
	$(PDM) run python -m service_kit.devstack migrate

test: .venv/.installed
	$(PDM) run pytest

lint: .venv/.installed
	$(PDM) run ruff check .
	$(PDM) run ruff format --check .
	$(PDM) run mypy

format: .venv/.installed
	$(PDM) run ruff check --fix .
	$(PDM) run ruff format .

# With `make run` going in another terminal: the sample batch through the public APIs.
demo: .venv/.installed
	$(PDM) run python -m demo

bench: .venv/.installed
	$(PDM) run python -m bench.content_service
	$(PDM) run python -m bench.file_service
	$(PDM) run python -m bench.essay_lifecycle
	$(PDM) run python -m bench.spell
	$(PDM) run python -m bench.spell.valid_words
	$(PDM) run python -m bench.spell.http
	$(PDM) run python -m bench.cj
	$(PDM) run python -m bench.cj.round
	$(PDM) run python -m bench.pipeline
	$(PDM) run python -m bench.gateway

clean:
	rm -rf .venv $(TOOLS) .pdm-python .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Removes the data `make run` keeps. Stop `make run` first.
clean-data:
	rm -rf .devstack
