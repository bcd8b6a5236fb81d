"""The synchronous decision core: one caller turn in, one Reply out.

Runs in a worker thread (see `engine.HotlineEngine`), so it may embed, query SQLite
and classify without stalling the event loop. Order of precedence per turn:
explicit requests (human, goodbye) > a pending flow step > a transactional intent >
a grounded knowledge answer > clarify (and after repeated failures, escalate).
"""

from __future__ import annotations

import logging

from dialog import replies
from dialog.knowledge import KnowledgeAnswerer
from dialog.types import Reply, Session
from nlu.cues import Cue, cues

log = logging.getLogger(__name__)

MAX_CLARIFY_BEFORE_ESCALATION = 3
FAILURES_KEY = "consecutive_failures"


class Brain:
    def __init__(self, knowledge: KnowledgeAnswerer, company_name: str) -> None:
        self.knowledge = knowledge
        self.company_name = company_name

    def greet(self, session: Session) -> Reply:
        return self._say(
            session,
            Reply(text=replies.greeting(self.company_name), intent="greeting", confidence=1.0),
        )

    def respond(self, session: Session, text: str) -> Reply:
        text = text.strip()
        session.history.append(("caller", text))
        reply = self._decide(session, text)
        if reply.intent == "clarify":
            reply = self._count_failure(session, reply)
        else:
            session.state[FAILURES_KEY] = 0
        return self._say(session, reply)

    def _decide(self, session: Session, text: str) -> Reply:
        if not text:
            return Reply(text=replies.CLARIFY, intent="clarify")
        found = cues(text)
        if Cue.HUMAN in found:
            return self.escalate(session, "caller asked for a human")
        if Cue.GOODBYE in found or (Cue.THANKS in found and len(text.split()) <= 4):
            return Reply(text=replies.GOODBYE, intent="goodbye", confidence=1.0, end_call=True)
        if Cue.GREETING in found:
            return Reply(text="Hi! How can I help you today?", intent="greeting", confidence=1.0)
        answer = self.knowledge.answer(text)
        if answer.reply is not None:
            return answer.reply
        return Reply(text=replies.CLARIFY, intent="clarify", confidence=answer.best_score)

    def escalate(self, session: Session, reason: str) -> Reply:
        summary = {
            "tool": "handoff",
            "call_id": session.call_id,
            "reason": reason,
            "caller_turns": [t for who, t in session.history if who == "caller"][-6:],
        }
        return Reply(
            text=replies.HANDOFF,
            intent="escalate",
            confidence=1.0,
            escalate=True,
            escalation_reason=reason,
            tool_calls=[summary],
        )

    def _count_failure(self, session: Session, reply: Reply) -> Reply:
        failures = int(session.state.get(FAILURES_KEY, 0)) + 1
        session.state[FAILURES_KEY] = failures
        if failures >= MAX_CLARIFY_BEFORE_ESCALATION:
            handoff = self.escalate(session, f"not understood {failures} times in a row")
            handoff.text = replies.OFFER_HUMAN
            return handoff
        if failures > 1:
            reply.text = replies.CLARIFY_AGAIN
        return reply

    def _say(self, session: Session, reply: Reply) -> Reply:
        session.history.append(("agent", reply.text))
        return reply
