# Two commands for users: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/zhengqi db upgrade
	$(BIN)/zhengqi serve

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || echo "wrk missing: apt-get install wrk (message benchmark)"
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) var/*.db var/*.db-wal var/*.db-shm
