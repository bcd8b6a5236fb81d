# Hotline — the two commands a new user needs: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_STAMP := .cache/apt.stamp
APT_PACKAGES := sox chromium sip-tester baresip-core espeak-ng

.PHONY: run test lint typecheck contracts check bench test-load test-llm setup system-deps clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

# Debian packages the tests use (real peers: Chromium, sipp, baresip; sox for audio).
$(APT_STAMP):
	@mkdir -p .cache
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = "0" ]; then \
		missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
		if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi; \
	else echo "warning: not root or no apt-get; install $(APT_PACKAGES) yourself"; fi
	touch $(APT_STAMP)

setup: $(STAMP)
system-deps: $(APT_STAMP)

run: $(STAMP)
	$(BIN)/hotline serve

test: $(STAMP) $(APT_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

lint: $(STAMP)
	$(BIN)/ruff check .
contracts: $(STAMP)
	$(BIN)/lint-imports
typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/hotline bench latency

test-load: $(STAMP) $(APT_STAMP)
	$(BIN)/pytest -m load -s; rc=$$?; if [ $$rc -eq 5 ]; then echo "no load tests collected"; exit 0; fi; exit $$rc

# Opt-in: the LLM command generator against a real local OpenAI-compatible server
# (llama.cpp, a 135M model; installed once under .cache/llm-venv). RECORD=1 rewrites the
# tapes the default suite replays (tests/dialog/llm_tapes/).
test-llm: $(STAMP)
	tests/dialog/llm_setup.sh
	$(if $(RECORD),HOTLINE_LLM_RECORD=1) $(BIN)/pytest -m llm -s tests/dialog/test_llm_commands.py tests/dialog/test_llm_eval.py tests/dialog/test_llm_live.py

clean:
	rm -rf $(VENV) .cache
