"""Paths and environments shared by tests (import as `tests.helpers`)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTDATA = ROOT.parent / "shared" / "testdata"
EMBED_CACHE = ROOT / ".cache" / "embeddings"  # shared by in-process and subprocess tests


def cli_env(data_dir: Path) -> dict[str, str]:
    """Environment for a `hotline` subprocess in tests: its own data, the shared caches."""
    return {**os.environ, "HOTLINE_SERVER_DATA_DIR": str(data_dir),
            "HOTLINE_DIALOG_GUIDELINES_PATH": str(TESTDATA / "domain/abcd/guidelines.json"),
            "HOTLINE_DIALOG_CACHE_DIR": str(EMBED_CACHE),
            "HOTLINE_SIP_BIND_PORT": "0"}  # any free port: test servers never fight over 5060
