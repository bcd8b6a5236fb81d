"""Grounded answers: retrieve passages, speak only what a passage says, cite it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from dialog import replies
from dialog.speech import spoken
from dialog.types import Citation, Reply
from kb.index import MATCH_THRESHOLD, Hit, HybridIndex
from kb.passages import Passage
from nlu.pii import redact

log = logging.getLogger(__name__)

CITATION_PASSAGE_CHARS = 400
# A second passage is cited only if it is nearly as good as the first.
SECOND_CITATION_MARGIN = 0.05


@dataclass(frozen=True)
class Answer:
    reply: Reply | None  # None: nothing in the knowledge base fits
    best_score: float


class KnowledgeAnswerer:
    def __init__(self, index: HybridIndex, threshold: float = MATCH_THRESHOLD) -> None:
        self.index = index
        self.threshold = threshold

    def answer(self, question: str) -> Answer:
        """Blocking: embeds the question. Returns reply=None below the threshold."""
        hits = self.index.search(question, k=3)
        if not hits or hits[0].score < self.threshold:
            best_score = hits[0].score if hits else 0.0
            log.debug("no passage fits %r (best %.2f)", redact(question), best_score)
            return Answer(None, best_score)
        best = hits[0]
        runners = [
            h for h in hits if h is not best and h.score >= best.score - SECOND_CITATION_MARGIN
        ]
        citations = [_citation(h) for h in [best, *runners[:1]]]
        if not best.passage.spoken:
            text = replies.NO_DETAIL
        else:
            text = spoken(best.passage.spoken, lead="I can help with that.")
        reply = Reply(
            text=text,
            intent=f"kb:{best.passage.doc_id}",
            confidence=round(best.score, 3),
            citations=citations,
        )
        return Answer(reply, best.score)


def _citation(hit: Hit) -> Citation:
    passage = hit.passage.spoken or hit.passage.text
    return Citation(
        doc_id=hit.passage.doc_id,
        title=hit.passage.title,
        passage=passage[:CITATION_PASSAGE_CHARS],
        score=round(hit.score, 3),
    )


def citation_for(passage: Passage, score: float = 1.0) -> Citation:
    return Citation(
        doc_id=passage.doc_id,
        title=passage.title,
        passage=(passage.spoken or passage.text)[:CITATION_PASSAGE_CHARS],
        score=score,
    )
