"""Grounded answers: retrieve passages, speak one only if it answers the question, cite it.

Otherwise say so: a question that comes near the manual without being answered by it
("do you sell gift cards?") gets intent `no_answer` ("Sorry, I don't have an answer to
that. I can help with refunds and returns, or connect you with a colleague."); words that
come near nothing and are not even a question give no reply at all, and the brain asks the
caller to rephrase. Whether a passage answers is `dialog.relevance.RelevanceCheck`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from dialog import replies
from dialog.relevance import RelevanceCheck, Verdict, group_of
from dialog.speech import spoken
from dialog.types import Citation, Reply
from kb.index import MATCH_THRESHOLD, Hit, HybridIndex
from kb.passages import Passage
from kb.questions import load_questions
from nlu.pii import redact

log = logging.getLogger(__name__)

CITATION_PASSAGE_CHARS = 400
# A second passage is cited only if it is nearly as good as the first (and answers too).
SECOND_CITATION_MARGIN = 0.05
CITED_FROM = 3  # ... and among the top hits
# A question, even one far from the manual, hears "I don't have an answer to that";
# a fragment ("the the blue um") is asked to rephrase.
_QUESTION = re.compile(
    r"^(?:what|what's|how|when|where|why|who|which|can|could|do|does|did|is|are|will|would|"
    r"should|may|have|has)\b",
    re.IGNORECASE,
)
_MIN_QUESTION_WORDS = 3
# "Sorry, I meant ...", "oh and also ...": said before the question, about nothing in it
_LEAD_IN = re.compile(
    r"^(?:(?:sorry|no|oh|ok|okay|well|so|actually|wait|right|and|also|yeah|yes|hi|hello)"
    r"\b[\s,.!]*)*(?:(?:i|what i) (?:meant|mean)(?: was| is)?\b[\s,:]*)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Answer:
    # a `kb:<doc_id>` answer with citations, a `no_answer`, or None: not understood
    reply: Reply | None
    best_score: float  # retrieval's best fused score


class KnowledgeAnswerer:
    def __init__(
        self,
        index: HybridIndex,
        threshold: float = MATCH_THRESHOLD,
        relevance: RelevanceCheck | None = None,
    ) -> None:
        self.index = index
        self.threshold = threshold  # "something in the manual is near": no_answer, not clarify
        self.relevance = relevance or RelevanceCheck(index.embedder, load_questions().unanswered)
        # Blocking: embeds the questions once (then cached on disk) and trains (~1 s); again
        # in the re-indexing thread whenever documents are added at run time.
        self.relevance.fit(index.passages)
        index.on_replace(self.relevance.fit)

    def answer(self, question: str) -> Answer:
        """Blocking: embeds the question. reply is a cited `kb:` answer, a `no_answer`, or
        None (not understood: the brain asks the caller to rephrase)."""
        question = _without_lead_in(question)
        hits = self.index.search(question, k=len(self.index.passages))
        best_score = hits[0].score if hits else 0.0
        verdict = self.relevance.judge(question, hits)
        if verdict.hit is not None:
            return Answer(_grounded_reply(verdict, hits), best_score)
        log.debug("no passage answers %r (best %.2f, group %s %.2f)", redact(question),
                  best_score, verdict.group, verdict.confidence)
        if best_score < self.threshold and not _is_question(question):
            return Answer(None, best_score)
        return Answer(_no_answer(verdict, hits, self.threshold), best_score)


    def answered_elsewhere(self, question: str, prefix: str) -> str | None:
        """Where the relevance check confidently puts `question` when that is outside the
        manual passages under `prefix` (a flow's `grounding`): another answer group, or
        UNANSWERED. That flow should leave the question to the knowledge answer, which
        answers it or says it has no answer. Blocking (embeds)."""
        group, confidence = self.relevance.rank(_without_lead_in(question))[0]
        if confidence < self.relevance.min_confidence or group.startswith(prefix):
            return None
        return group


def _grounded_reply(verdict: Verdict, hits: list[Hit]) -> Reply:
    best = verdict.hit
    assert best is not None
    runners = [h for h in hits[:CITED_FROM] if h is not best and h.passage.spoken
               and group_of(h.passage) == group_of(best.passage)
               and h.score >= best.score - SECOND_CITATION_MARGIN]
    return Reply(
        text=spoken(best.passage.spoken, lead="I can help with that."),
        intent=f"kb:{best.passage.doc_id}",
        confidence=round(best.score, 3),
        citations=[_citation(h) for h in [best, *runners[:1]]],
    )


def _no_answer(verdict: Verdict, hits: list[Hit], near_score: float) -> Reply:
    """No citation: nothing was answered. The nearest topic comes from the group the
    question is about, else the nearest passage; near an FAQ listing: "no detail"."""
    top = hits[0] if hits else None
    if verdict.group is None and top is not None and top.score >= near_score:
        if not top.passage.spoken:
            return Reply(text=replies.NO_DETAIL, intent="no_answer", confidence=0.0)
        topic = replies.NO_ANSWER_TOPICS.get(top.passage.tags[0] if top.passage.tags else "")
    else:
        topic = replies.NO_ANSWER_TOPICS.get((verdict.group or "").split("/")[0])
    return Reply(text=replies.no_answer(topic), intent="no_answer", confidence=0.0)


def _without_lead_in(text: str) -> str:
    rest = _LEAD_IN.sub("", text.strip(), count=1)
    return rest if len(rest.split()) >= 2 else text


def _is_question(text: str) -> bool:
    return bool(_QUESTION.match(text.strip())) and len(text.split()) >= _MIN_QUESTION_WORDS


def _citation(hit: Hit) -> Citation:
    return citation_for(hit.passage, round(hit.score, 3))


def citation_for(passage: Passage, score: float = 1.0) -> Citation:
    return Citation(
        doc_id=passage.doc_id,
        title=passage.title,
        passage=(passage.spoken or passage.text)[:CITATION_PASSAGE_CHARS],
        score=score,
    )
