"""The flow engine: executes one turn's (validated) commands against the conversation's
state and the flow registry, and says what comes of it.

Precedence, whatever order the commands came in: a request for a person; the answer to
the satisfaction survey; the answer to a pending read-back (dialog.flowengine.readback);
then the turn's first command decides (a greeting, goodbye, yes/no, the detail an open
question waited for, a correction, a new request...). Refusals (`Deny(target)`) are noted
first, so no flow offers what the caller just refused. Further requests are queued and
taken up when nothing is open (dialog.flowengine.queue).
"""

from __future__ import annotations

import logging

from dialog import identity, replies
from dialog.commands import (
    Affirm,
    CancelFlow,
    ChitChat,
    Clarify,
    Command,
    CorrectSlot,
    Deny,
    Goodbye,
    Greeting,
    HumanHandoff,
    KnowledgeQuestion,
    RejectSlot,
    SetSlot,
    StartFlow,
    TurnContext,
)
from dialog.escalation import handoff
from dialog.flowengine import queue, readback, repair
from dialog.flowengine.running import Resources, knowledge, run_flow
from dialog.flows.csat import answer_survey, ask_survey
from dialog.types import Reply, Session

log = logging.getLogger(__name__)

GREETING = "Hi! How can I help you today?"


class FlowEngine:
    def __init__(self, res: Resources) -> None:
        self.res = res

    def execute(self, session: Session, ctx: TurnContext, commands: list[Command]) -> Reply:
        state = session.state
        state.offered_human = False  # an offered colleague lasts one turn (ctx has it)
        state.survey.pending = False  # the survey is answered this turn or not at all
        state.intent_choices = []  # an "A, or B?" is answered this turn or not at all
        commands = commands or [Clarify()]
        if any(isinstance(c, HumanHandoff) for c in commands):
            reason = next(c.reason for c in commands if isinstance(c, HumanHandoff))
            state.queue.clear()  # everything open is left to the person: no later "yes"
            state.pending, state.awaiting_flow = None, None
            return handoff(session, reason, self.res.services)
        if ctx.survey_pending:
            score = next((c.value for c in commands
                          if isinstance(c, SetSlot) and c.name == "csat_score"), "")
            return answer_survey(session, score, dtmf=ctx.dtmf)
        refusing = self._refuse(session, commands)
        reply = None
        if state.pending is not None:
            reply = readback.answer(self.res, session, ctx, commands, refusing)
        if reply is None:
            reply = self._act(session, ctx, commands, refusing)
        if reply.intent == "clarify" and (again := identity.ask_again(session)) is not None:
            reply = again  # the identity question stays open: asked again, not counted

        return queue.take_up(session, reply, lambda cmd: self._request(session, cmd, refusing))

    def _refuse(self, session: Session, commands: list[Command]) -> frozenset[str]:
        """Note the tools the caller refused this turn (a flow's first confirmed tool)."""
        refused: set[str] = set()
        for cmd in commands:
            if isinstance(cmd, Deny) and cmd.target is not None:
                spec = self.res.flows.get(cmd.target)
                tools = spec.confirms[:1] if spec is not None else (cmd.target,)
                refused.update(tools)
        session.state.refused |= refused
        return frozenset(refused)

    def _act(self, session: Session, ctx: TurnContext, commands: list[Command],
             refusing: frozenset[str]) -> Reply:
        state = session.state
        first: Command | None = next((c for c in commands if not isinstance(c, Deny)), None)
        if first is None and any(isinstance(c, Deny) and c.target is None for c in commands):
            first = Deny()
        if first is None:  # only refusals: "I don't want a credit"
            return Reply(text=replies.REFUSED, intent="deny", confidence=1.0)
        if isinstance(first, Greeting):
            return Reply(text=GREETING, intent="greeting", confidence=1.0)
        if isinstance(first, Goodbye):
            survey = ask_survey(session) if self.res.csat_survey else None
            return survey or Reply(text=replies.GOODBYE, intent="goodbye", confidence=1.0,
                                   end_call=True)
        if isinstance(first, Affirm | Deny):
            return self._ack(session, ctx, yes=isinstance(first, Affirm))
        flow = self.res.flows.get(state.awaiting_flow or state.flow)
        if isinstance(first, SetSlot) and flow is not None:
            slots = {c.name: c.value for c in commands if isinstance(c, SetSlot)}
            said = slots.get("details") or ctx.text
            return run_flow(self.res, flow, session, slots, said, refusing=refusing)
        if isinstance(first, CorrectSlot) and flow is not None:
            return repair.correct(self.res, session, flow, commands, refusing)
        if isinstance(first, RejectSlot) and flow is not None:
            return repair.reject(self.res, session, flow, first)
        if isinstance(first, CancelFlow):
            return repair.cancel(session)
        if isinstance(first, StartFlow | KnowledgeQuestion):
            later = [c for c in commands if isinstance(c, StartFlow | KnowledgeQuestion)][1:]
            state.queue.extend(later)
            return self._request(session, first, refusing)
        if isinstance(first, Clarify) and len(first.flows) > 1:
            state.intent_choices = list(first.flows)
            a, b = (self.res.flows[name].phrase for name in first.flows[:2])
            return Reply(text=f"Sure. Is that about {a}, or {b}?", intent="disambiguate",
                         confidence=1.0)
        if isinstance(first, ChitChat) and first.text:
            return knowledge(self.res, first.text)
        return Reply(text=replies.CLARIFY, intent="clarify")

    def _request(self, session: Session, cmd: Command, refusing: frozenset[str]) -> Reply:
        if isinstance(cmd, StartFlow) and (spec := self.res.flows.get(cmd.flow)) is not None:
            session.state.pending = None  # a new request drops an unanswered offer
            return run_flow(self.res, spec, session, cmd.slots, cmd.text,
                            confidence=cmd.confidence, refusing=refusing)
        if isinstance(cmd, KnowledgeQuestion):
            return knowledge(self.res, cmd.text)
        return Reply(text=replies.CLARIFY, intent="clarify")

    def _ack(self, session: Session, ctx: TurnContext, *, yes: bool) -> Reply:
        """A bare yes or no with nothing pending."""
        state = session.state
        if yes and ctx.offered_human:
            reason = "caller accepted a colleague for a question we can't answer"
            return handoff(session, reason, self.res.services)
        if yes and state.queue:
            return self._request(session, state.queue.pop(0), frozenset())
        waiting = self.res.flows.get(state.awaiting_flow)
        if yes and waiting is not None:  # "okay" to an open question: ask it again
            return run_flow(self.res, waiting, session, {}, "")
        return Reply(text=replies.ANYTHING_ELSE, intent="ack", confidence=1.0)


__all__ = ["FlowEngine", "Resources"]
