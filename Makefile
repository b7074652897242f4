# salesplan developer commands. The README's quick start is `make demo` and `make test`;
# both bootstrap everything they need (uv in .tools/, the locked environment in .venv/, and
# Debian packages when running as root).

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
RUN := $(UV) run --frozen --no-sync
CODE := $(wildcard src tests benchmarks)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)

.PHONY: demo test lint format bench env system-deps clean help

help:
	@echo "make demo    build the sample workspace and run everything on it"
	@echo "make test    run the whole test suite (SQLite, and PostgreSQL when available)"
	@echo "make lint    ruff, mypy and the layer contracts"
	@echo "make bench   speed and memory benchmarks (writes benchmarks/results/)"

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# --compile-bytecode: machines that set PYTHONDONTWRITEBYTECODE (ours do) would otherwise
# recompile every imported module in every process (CLI start-up 11 s instead of 4 s).
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode
	@touch $@

env: $(VENV)/.synced

system-deps:
	@bash scripts/system-deps.sh

demo: env
	$(RUN) salesplan demo

test: env system-deps
	$(RUN) pytest

lint: env
	$(RUN) ruff check $(CODE)
	$(RUN) ruff format --check $(CODE)
	$(RUN) mypy
	$(RUN) lint-imports

format: env
	$(RUN) ruff format $(CODE)
	$(RUN) ruff check --fix $(CODE)

bench: env
	$(RUN) python -m benchmarks.run

clean:
	rm -rf .tools $(VENV) salesplan-demo .pytest_cache .mypy_cache .ruff_cache
