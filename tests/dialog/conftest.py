"""Fixtures: one real engine per test session (real retrieval, real SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dialog.factory import build_engine
from dialog.types import DialogEngine
from kb.demo import SqliteDemoStore, reset
from tests.helpers import EMBED_CACHE

REPO_ROOT = Path(__file__).resolve().parents[2]
TESTDATA = REPO_ROOT / ".." / "shared" / "testdata"
GUIDELINES = TESTDATA / "domain" / "abcd" / "guidelines.json"
# Embeddings of the manual are cached across runs (gitignored; one cache for every test).


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dialog-data")


@pytest.fixture(scope="session")
def engine(data_dir: Path) -> DialogEngine:
    return build_engine(data_dir=data_dir, guidelines_path=GUIDELINES, cache_dir=EMBED_CACHE)


@pytest.fixture
def demo(engine: DialogEngine, data_dir: Path) -> Iterator[SqliteDemoStore]:
    """A freshly seeded demo database (shared with the engine) for inspecting effects."""
    reset(data_dir)
    store = SqliteDemoStore.open(data_dir)
    yield store
    store.close()
