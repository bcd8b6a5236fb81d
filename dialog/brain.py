"""The synchronous decision core: one caller turn in, one Reply out.

Runs in a worker thread (see `engine.HotlineEngine`), so it may embed, query SQLite
and classify without stalling the event loop. Precedence per turn: a human request >
the answer to a pending yes/no read-back > a flow waiting for a detail > goodbye and
greetings > a confident transactional intent > a grounded knowledge answer > clarify
(and after repeated failures, or a run of angry turns, a handoff).
"""

from __future__ import annotations

import logging
import re

from dialog import replies
from dialog.escalation import handoff, should_escalate
from dialog.flows.confirm import confirm
from dialog.flows.csat import answer_survey, ask_survey
from dialog.flows.orders import order_status
from dialog.flows.pause import take_alternative
from dialog.flows.registry import FLOWS
from dialog.flows.spec import FlowRegistry
from dialog.guidance import take_guidance
from dialog.knowledge import KnowledgeAnswerer
from dialog.routing import route
from dialog.services import Services
from dialog.types import Reply, Session
from nlu.cues import Cue, cues
from nlu.entities import Entities
from nlu.intent import IntentClassifier
from nlu.normalize import strip_fillers
from nlu.sentiment import sentiment

log = logging.getLogger(__name__)

MAX_CLARIFY_BEFORE_ESCALATION = 3
# Questions about the order just discussed; answered by re-stating its status.
_ORDER_FOLLOW_UP = re.compile(
    r"\b(carrier|tracking|courier|arriv\w*|deliver\w*|ship\w*|late|delay\w*|when|where|status|estimate)\b",
    re.IGNORECASE,
)


class Brain:
    def __init__(
        self,
        knowledge: KnowledgeAnswerer,
        company_name: str,
        services: Services,
        classifier: IntentClassifier,
        *,
        csat_survey: bool = True,
        flows: FlowRegistry = FLOWS,
    ) -> None:
        self.knowledge = knowledge
        self.company_name = company_name
        self.services = services
        self.classifier = classifier
        self.csat_survey = csat_survey  # ask the post-call survey at goodbye
        self.flows = flows

    def greet(self, session: Session) -> Reply:
        reply = Reply(text=replies.greeting(self.company_name), intent="greeting", confidence=1.0)
        return self._say(session, reply)

    def respond(self, session: Session, text: str, *, dtmf: bool = False) -> Reply:
        """One caller turn; `dtmf`: it was typed on the keypad (the survey records that)."""
        state = session.state
        text = text.strip()
        session.history.append(("caller", text))
        state.sentiment.append(sentiment(text) if text else 0.0)
        if state.awaiting_human:
            state.pending = None  # account changes wait for the person
        directive = take_guidance(session)
        reply = (self.escalate(session, f"supervisor: {directive}") if directive is not None
                 else self._decide(session, text, dtmf=dtmf))
        if reply.intent == "clarify":
            reply = self._count_failure(session, reply)
        else:
            state.failures = 0
        if not reply.escalate and not reply.end_call and (reason := should_escalate(state.sentiment)):
            reply = self.escalate(session, reason)
        if state.awaiting_human:
            reply = self._while_waiting(session, reply)
        if reply.text == replies.NO_DETAIL:
            state.offered_human = True  # a "yes" next turn takes the offer
        if reply.intent and reply.intent != "clarify":
            state.last_intent = reply.intent
        return self._say(session, reply)

    def _decide(self, session: Session, text: str, *, dtmf: bool = False) -> Reply:
        if not text:
            return Reply(text=replies.CLARIFY, intent="clarify")
        found = cues(text)
        state = session.state
        if state.survey.pending and Cue.HUMAN not in found:
            return answer_survey(session, text, dtmf=dtmf)
        state.survey.pending = False
        if Cue.HUMAN in found:
            return self.escalate(session, "caller asked for a human")
        offered, state.offered_human = state.offered_human, False
        ents = self.services.entities(text)
        last = _flow_of(state.last_intent)
        if Cue.CORRECTION in found and last in self.flows and state.order.order_id:
            # "No, the other order": forget the order we picked and resolve again.
            state.pending = None
            state.order.excluded.append(state.order.order_id)
            state.order.order_id = None
            return self.flows[last].handler(self.services, session, ents)
        alternative = take_alternative(session, text)  # "pause it instead"
        if alternative is not None:
            return alternative
        confirmed = confirm(self.services, session, found)
        if confirmed is not None:
            return confirmed
        awaiting = state.awaiting_flow
        waiting = self.flows.get(awaiting)
        if waiting is not None and (_gives_detail(ents) or waiting.free_text) and not (
            found & {Cue.GOODBYE, Cue.THANKS}
        ):
            return self._grounded(waiting.name, waiting.handler(self.services, session, ents), text)
        if Cue.GOODBYE in found or (Cue.THANKS in found and len(text.split()) <= 4):
            survey = ask_survey(session) if self.csat_survey else None
            return survey or Reply(
                text=replies.GOODBYE, intent="goodbye", confidence=1.0, end_call=True
            )
        if Cue.GREETING in found:
            return Reply(text="Hi! How can I help you today?", intent="greeting", confidence=1.0)
        if offered and Cue.AFFIRM in found and Cue.DENY not in found:
            return self.escalate(
                session, "caller accepted a colleague for a question we can't answer"
            )
        if found & {Cue.AFFIRM, Cue.DENY} and len(text.split()) <= 3:
            return Reply(text=replies.ANYTHING_ELSE, intent="ack", confidence=1.0)
        if (
            state.order.order_id
            and last == "order_status"
            and _ORDER_FOLLOW_UP.search(text)
        ):
            return order_status(self.services, session, ents)  # "which carrier is it with?"
        clean = strip_fillers(text)
        chosen = route(
            session, clean, self.classifier.rank(clean), self.flows, names_order=bool(ents.order_ids)
        )
        if chosen.question is not None:
            return chosen.question
        if chosen.flow is not None:
            log.debug("call %s: flow %s (%.2f)", session.call_id, chosen.flow, chosen.confidence)
            reply = self.flows[chosen.flow].handler(self.services, session, ents)
            reply.confidence = round(chosen.confidence, 3)
            return self._grounded(chosen.flow, reply, clean)
        answer = self.knowledge.answer(clean)
        if answer.reply is not None:
            return answer.reply
        return Reply(text=replies.CLARIFY, intent="clarify", confidence=answer.best_score)

    def _grounded(self, flow: str, reply: Reply, text: str) -> Reply:
        """Attach the manual passage a flow's general answer rests on (account access)."""
        spec = self.flows.get(flow)
        prefix = spec.grounding if spec is not None else None
        if prefix is None or reply.citations:
            return reply
        answer = self.knowledge.answer(text)
        if answer.reply is not None:
            reply.citations = [c for c in answer.reply.citations if c.doc_id.startswith(prefix)]
        return reply

    @staticmethod
    def _while_waiting(session: Session, reply: Reply) -> Reply:
        """On hold for a human: answers and lookups go ahead; anything that would change the
        account (a read-back awaiting yes) is left to the person, and no second handoff."""
        if (reply.intent or "").startswith("confirm_"):
            session.state.pending = None  # nothing may be confirmed by a later "yes"
            return Reply(text=replies.HOLD_DEFER, intent="deferred_to_human", confidence=1.0)
        if reply.escalate:
            return Reply(text=replies.HOLD_WAITING, intent="awaiting_human", confidence=1.0)
        return reply

    def escalate(self, session: Session, reason: str) -> Reply:
        return handoff(session, reason, self.services)

    def _count_failure(self, session: Session, reply: Reply) -> Reply:
        session.state.failures += 1
        failures = session.state.failures
        if failures >= MAX_CLARIFY_BEFORE_ESCALATION:
            offer = self.escalate(session, f"not understood {failures} times in a row")
            offer.text = replies.OFFER_HUMAN
            return offer
        if failures > 1:
            reply.text = replies.CLARIFY_AGAIN
        return reply

    def _say(self, session: Session, reply: Reply) -> Reply:
        session.history.append(("agent", reply.text))
        return reply


def _flow_of(intent: object) -> str:
    """'confirm_cancel_order' -> 'cancel_order'; other intents unchanged."""
    text = str(intent or "")
    return text.removeprefix("confirm_")


def _gives_detail(ents: Entities) -> bool:
    return bool(
        ents.order_ids or ents.dates or ents.emails or ents.phones or ents.tiers or ents.products
    )
