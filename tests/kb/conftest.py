"""Fixtures: the real hybrid index over the real manual, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.embedder import Embedder
from kb.index import HybridIndex
from kb.manual import load_manual
from tests.helpers import EMBED_CACHE

REPO_ROOT = Path(__file__).resolve().parents[2]
TESTDATA = REPO_ROOT / ".." / "shared" / "testdata"
GUIDELINES = TESTDATA / "domain" / "abcd" / "guidelines.json"



@pytest.fixture(scope="session")
def index() -> HybridIndex:
    return HybridIndex(Embedder.load(cache_dir=EMBED_CACHE), load_manual(GUIDELINES))
