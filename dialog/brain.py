"""The synchronous decision core: one caller turn in, one Reply out.

Runs in a worker thread (see `engine.HotlineEngine`), so it may embed, query SQLite
and classify without stalling the event loop. `respond` keeps the books around a turn
(history, sentiment, supervisor guidance, failures, hold rules); the turn itself is
understood by a command generator (default: `dialog.rules.RuleGenerator`; any
`dialog.commands.CommandGenerator` may replace it), its commands are checked
(`dialog.commands.validate`) and executed by the flow engine (`dialog.flowengine`).
After repeated failures, or a run of angry turns, the brain hands over.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from dialog import replies
from dialog.commands import Command, CommandGenerator, HumanHandoff, TurnContext, validate
from dialog.earlier import mention
from dialog.escalation import frustrated, handoff, should_escalate
from dialog.flowengine import FlowEngine
from dialog.flowengine import Resources as EngineResources
from dialog.flows.registry import FLOWS
from dialog.flows.spec import FlowRegistry
from dialog.guidance import take_guidance
from dialog.knowledge import KnowledgeAnswerer
from dialog.rules import Resources as RuleResources
from dialog.rules import RuleGenerator
from dialog.services import Services
from dialog.types import Reply, Session
from nlu.expect import asked_for
from nlu.intent import IntentClassifier
from nlu.sentiment import sentiment

log = logging.getLogger(__name__)

MAX_CLARIFY_BEFORE_ESCALATION = 3


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
        generator: CommandGenerator | None = None,
    ) -> None:
        self.company_name = company_name
        self.flows = flows
        self.resources = EngineResources(services, knowledge, flows, csat_survey)
        self.engine = FlowEngine(self.resources)
        # the default, offline understanding; an LLM-backed generator may replace it
        self.rule_generator = RuleGenerator(RuleResources(services, classifier, flows, knowledge))
        self.generator: CommandGenerator = generator or self.rule_generator

    @property
    def services(self) -> Services:
        return self.resources.services

    @property
    def knowledge(self) -> KnowledgeAnswerer:
        """Its index is the seam for documents added live (telephony.qa.export.apply_live)."""
        return self.resources.knowledge

    def greet(self, session: Session) -> Reply:
        text = replies.greeting(self.company_name)
        earlier = mention(session.earlier_contacts, self.services.today()) \
            if session.caller_verified else None  # disclosure: a vouched-for customer only
        if earlier is not None:
            text = f"{text.removesuffix(replies.HOW_CAN_I_HELP).rstrip()} {earlier} {replies.HOW_CAN_I_HELP}"
        reply = Reply(text=text, intent="greeting", confidence=1.0)
        return self._say(session, reply)

    def respond(self, session: Session, text: str, *, dtmf: bool = False,
                commands: list[Command] | None = None) -> Reply:
        """One caller turn; `dtmf`: it was typed on the keypad (the survey records that).
        `commands`: the turn already understood (an `AsyncCommandGenerator`, awaited on the
        event loop from `turn_context`); None: the brain's own generator understands it."""
        state = session.state
        text = text.strip()
        session.history.append(("caller", text))
        state.sentiment.append(sentiment(text) if text else 0.0)
        if state.awaiting_human:
            state.pending = None  # account changes wait for the person
        directive = take_guidance(session)
        reply = (self.escalate(session, f"supervisor: {directive}") if directive is not None
                 else self._decide(session, text, dtmf=dtmf, commands=commands))
        if reply.intent in ("clarify", "no_answer"):  # not understood, or no answer to give
            reply = self._count_failure(session, reply)
        else:
            state.failures = 0
        if not reply.escalate and not reply.end_call and (reason := should_escalate(state.sentiment)):
            reply = self.escalate(session, reason)
        if state.awaiting_human:
            reply = self._while_waiting(session, reply)
        if reply.intent == "no_answer" or reply.text == replies.NO_DETAIL:
            state.offered_human = True  # a "yes" next turn takes the offered colleague
        if reply.intent and reply.intent != "clarify":
            state.last_intent = reply.intent
        return self._say(session, reply)

    @staticmethod
    def turn_context(session: Session, text: str, *, dtmf: bool = False) -> TurnContext:
        """What a generator sees of this turn, as `respond` will see it (callable before it:
        a caller on hold for a person has no read-back to answer)."""
        ctx = TurnContext.of(session, text.strip(), dtmf=dtmf)
        return replace(ctx, pending=None) if session.state.awaiting_human else ctx

    def _decide(self, session: Session, text: str, *, dtmf: bool = False,
                commands: list[Command] | None = None) -> Reply:
        ctx = self.turn_context(session, text, dtmf=dtmf)
        checked = None if commands is None else validate(commands, ctx, self.flows)
        if checked is not None and len(checked) < len(commands or ()) and not (
                len(checked) == 1 and isinstance(checked[0], HumanHandoff)):
            # one was dropped: the state moved since they were made; understand anew
            log.info("call %s: given commands %s not valid now", session.call_id, commands)
            checked = None
        if checked is None:
            checked = validate(self.generator.generate(ctx), ctx, self.flows)
        log.debug("call %s: %s", session.call_id, checked)
        return self.engine.execute(session, ctx, checked)

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
        reason = frustrated(failures, session.state.sentiment)
        if failures >= MAX_CLARIFY_BEFORE_ESCALATION:
            reason = f"not understood {failures} times in a row"
        if reason is not None:
            offer = self.escalate(session, reason)
            offer.text = replies.OFFER_HUMAN
            return offer
        if failures > 1 and reply.intent == "clarify":
            reply.text = replies.CLARIFY_AGAIN
        return reply

    def _say(self, session: Session, reply: Reply) -> Reply:
        session.history.append(("agent", reply.text))
        if reply.expect is None:
            reply.expect = asked_for(reply.text)
        return reply

