"""Running one flow: its handler with the entities its slots make, grounded in the manual.

A flow's handler is the business logic (dialog/flows); the engine only hands it the
entities (built from the command's slots: nothing else reaches it), notes which flow
answered, lifts refusals a new request for the flow overrides, and attaches the manual
passage the flow's replies rest on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from dialog import identity, replies
from dialog.flows.spec import FlowRegistry, FlowSpec
from dialog.knowledge import KnowledgeAnswerer
from dialog.services import Services
from dialog.types import Reply, Session
from nlu.entities import Entities

log = logging.getLogger(__name__)

# slots no Entities field holds: flows read them from the words (`DialogState.said`)
_WORDS_ONLY = ("plan", "zip_code", "full_name")


@dataclass(frozen=True)
class Resources:
    """What the engine executes with: loaded once per brain, shared by every call."""

    services: Services
    knowledge: KnowledgeAnswerer
    flows: FlowRegistry
    csat_survey: bool = True  # ask the post-call survey at goodbye


def entities_from(slots: Mapping[str, str]) -> Entities:
    """The Entities a handler gets: one value per slot a command named."""
    ents = Entities()
    for name, value in slots.items():
        try:
            if name == "order_id":
                ents.order_ids.append(value)
            elif name == "date":
                ents.dates.append(dt.date.fromisoformat(value))
            elif name == "email":
                ents.emails.append(value)
            elif name == "phone":
                ents.phones.append(value)
            elif name == "tier":
                ents.tiers.append(value.lower())
            elif name == "product":
                ents.products.append(value)
            elif name == "amount":
                ents.amounts.append(float(value))
        except ValueError:
            log.info("slot %s=%r ignored: not a valid value", name, value)
    return ents


def said_with(text: str, slots: Mapping[str, str]) -> str:
    """The words a flow reads, plus any word-only slot value the words lack."""
    extra = [v for k, v in slots.items() if k in _WORDS_ONLY and v.lower() not in text.lower()]
    return ". ".join([text, *extra]) if extra and text else (text or ". ".join(extra))


def run_flow(
    res: Resources, spec: FlowSpec, session: Session, slots: Mapping[str, str], said: str,
    *, confidence: float = 1.0, refusing: frozenset[str] = frozenset(),
) -> Reply:
    """Run `spec`'s handler for this turn, behind the identity gate (dialog.identity: the
    command's identity facts are heard first). A request for the flow lifts the caller's
    earlier refusal of its own change, unless refused in this same turn (`refusing`)."""
    state = session.state
    state.flow = spec.name
    state.said = said_with(said, slots)
    state.refused -= set(spec.confirms[:1]) - refusing  # its own change, not an alternative
    svc = res.services
    reply = identity.gate(svc, session, slots, state.said,
                          lambda heard: spec.handler(svc, session, entities_from(heard)))
    if confidence < 1.0:
        reply.confidence = round(confidence, 3)
    return grounded(res, spec, reply, said)


def grounded(res: Resources, spec: FlowSpec, reply: Reply, text: str) -> Reply:
    """Attach the manual passage a flow's general answer rests on (its `grounding`)."""
    if spec.grounding is None or reply.citations or not text:
        return reply
    answer = res.knowledge.answer(text)
    if answer.reply is not None:
        reply.citations = [c for c in answer.reply.citations
                           if c.doc_id.startswith(spec.grounding)]
    return reply


def knowledge(res: Resources, text: str) -> Reply:
    """A question the manual answers: its passage, spoken and cited; else "rephrase?"."""
    answer = res.knowledge.answer(text)
    if answer.reply is not None:
        return answer.reply
    return Reply(text=replies.CLARIFY, intent="clarify", confidence=answer.best_score)
