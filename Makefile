# kucun — the two commands of the quick start: `make demo` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.kucun-installed
DEMO_DIR ?= .demo
DEMO_LANG ?= zh
PORT ?= 8731

.PHONY: demo test fuzz bench clean

$(STAMP): pyproject.toml
	@PY=$$(scripts/find-python.sh) && echo "kucun: setting up $(VENV) with $$PY" && $$PY -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
	@$(BIN)/python -m pip install --quiet -e ".[test]" 2>&1 | grep -v "is ignored" || true
	@$(BIN)/python -c "import kucun, engine, server, terminal_app, documents, textual, sqlite_utils, fastapi" \
	  || { echo "kucun: installing the project into $(VENV) failed" >&2; exit 1; }
	@touch $@

.zbar-checked: scripts/ensure-libzbar.sh $(STAMP)
	@scripts/ensure-libzbar.sh $(BIN)/python
	@touch $@

demo: $(STAMP) .zbar-checked
	@$(BIN)/kucun demo --dir $(DEMO_DIR) --port $(PORT) --lang $(DEMO_LANG)

test: $(STAMP) .zbar-checked
	@scripts/ensure-postgres.sh
	@$(BIN)/mypy
	@$(BIN)/lint-imports --no-logo
	@TMPDIR=$$([ -d /dev/shm ] && echo /dev/shm || echo "$${TMPDIR:-/tmp}") $(BIN)/python -m pytest -n 2 --dist worksteal

# schemathesis against both APIs with many more examples per operation than `make test` (minutes)
FUZZ_EXAMPLES ?= 100
fuzz: $(STAMP)
	@scripts/ensure-postgres.sh
	@KUCUN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/security/test_fuzz_api.py -p no:cacheprovider

bench: $(STAMP)
	@$(BIN)/kucun bench sync

clean:
	rm -rf $(VENV) .zbar-checked $(DEMO_DIR) .pytest_cache .hypothesis .mypy_cache .import_linter_cache
