"""Fixtures: one real engine per test session (real retrieval, real SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialog.factory import build_engine
from dialog.types import DialogEngine

REPO_ROOT = Path(__file__).resolve().parents[2]
TESTDATA = REPO_ROOT / ".." / "shared" / "testdata"
GUIDELINES = TESTDATA / "domain" / "abcd" / "guidelines.json"
# Embeddings of the manual are cached across runs (gitignored); first run embeds (~20 s).
EMBED_CACHE = REPO_ROOT / ".cache" / "test-embeddings"


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> DialogEngine:
    return build_engine(
        data_dir=tmp_path_factory.mktemp("dialog-data"),
        guidelines_path=GUIDELINES,
        cache_dir=EMBED_CACHE,
    )
