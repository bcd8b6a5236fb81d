"""Composition of the default, LLM-free brain. Called once at server start."""

from __future__ import annotations

import logging
from pathlib import Path

from dialog.brain import Brain
from dialog.engine import HotlineEngine
from dialog.errors import ConfigError
from dialog.knowledge import KnowledgeAnswerer
from dialog.types import DialogEngine
from kb.embedder import Embedder
from kb.index import HybridIndex
from kb.manual import load_manual

log = logging.getLogger(__name__)


def build_engine(
    *,
    data_dir: Path,
    guidelines_path: Path,
    company_name: str = "Acme Apparel",
    cache_dir: Path | None = None,
) -> DialogEngine:
    """Load the knowledge index and models (blocking, seconds); return a ready engine.

    `data_dir` holds the demo database and, unless `cache_dir` is given, the embedding
    cache (`data_dir/cache`); it is created if missing. First start embeds the manual
    (~20 s on 2 cores); later starts read the cache (~1 s).
    """
    if not guidelines_path.is_file():
        raise ConfigError(f"guidelines file not found: {guidelines_path}")
    data_dir.mkdir(parents=True, exist_ok=True)
    embedder = Embedder.load(cache_dir=cache_dir or data_dir / "cache")
    index = HybridIndex(embedder, load_manual(guidelines_path))
    brain = Brain(KnowledgeAnswerer(index), company_name=company_name)
    log.info("dialog engine ready (%d passages)", len(index.passages))
    return HotlineEngine(brain)
