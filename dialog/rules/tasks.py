"""Rules about the caller's tasks: a correction of the current one, the detail an open
question waited for, a follow-up about the order just discussed, and new requests
(one or several, with what the caller refused in the same breath)."""

from __future__ import annotations

import re

from dialog.commands import (
    Clarify,
    Command,
    CorrectSlot,
    Deny,
    KnowledgeQuestion,
    RejectSlot,
    SetSlot,
    StartFlow,
)
from dialog.flows.spec import FlowSpec
from dialog.routing import route
from dialog.rules.base import Resources, Turn
from dialog.rules.reading import named_flows
from dialog.rules.slots import slots_of
from nlu.clauses import Clause
from nlu.cues import Cue
from nlu.normalize import strip_fillers

SHORT_NO_WORDS = 3  # what may follow a refusal and still leave it a plain no ("no, thanks")
# Questions about the order just discussed; answered by re-stating its status.
_ORDER_FOLLOW_UP = re.compile(
    r"\b(carrier|tracking|courier|arriv\w*|deliver\w*|ship\w*|late|delay\w*|when|where|status|estimate)\b",
    re.IGNORECASE,
)


def correction(res: Resources, turn: Turn) -> list[Command] | None:
    """"No, the other order" / "sorry, I meant 10251" / "I'm bronze, not silver": repair a
    detail of the flow the conversation is in."""
    spec = res.flows.get(turn.ctx.flow)
    if spec is None:
        return None
    if Cue.CORRECTION in turn.cues and turn.ctx.order_id and spec.takes("order_id"):
        return [RejectSlot("order_id", turn.ctx.order_id)]
    if not turn.reading.correcting:
        return None
    fixing = [c for c in turn.reading.positive if c.correcting]
    asks = {id(c) for c in turn.reading.requests()}
    if any(id(c) in asks and _names_other(res, spec, c.body) for c in fixing):
        return None  # "sorry, where is order 10251?" after a cancellation: a new request
    fixed = " ".join(c.body for c in fixing)
    slots = slots_of(res.services, res.services.entities(fixed), fixed, spec)
    return [CorrectSlot(k, v, text=turn.reading.text) for k, v in slots.items()] or None


def _names_other(res: Resources, spec: FlowSpec, text: str) -> bool:
    named = named_flows(res.flows, text)
    return bool(named) and spec.name not in named


def awaited_detail(res: Resources, turn: Turn) -> list[Command] | None:
    """A detail (order number, date, email, tier...) for the flow whose question is open;
    a free-text flow takes any words. A goodbye or thanks is not an answer."""
    spec = res.flows.get(turn.ctx.flow) if turn.ctx.awaiting else None
    if spec is None or turn.cues & {Cue.GOODBYE, Cue.THANKS}:
        return None
    slots = slots_of(res.services, turn.entities, turn.reading.context, spec)
    if spec.free_text and not turn.cues & {Cue.AFFIRM, Cue.DENY}:
        slots["details"] = turn.reading.text
    return [SetSlot(k, v) for k, v in slots.items()] or None


def order_follow_up(res: Resources, turn: Turn) -> list[Command] | None:
    """"Which carrier is it with?" right after an order's status: re-state that order."""
    order_id = turn.ctx.order_id
    if not order_id or turn.ctx.flow != "order_status" or not _ORDER_FOLLOW_UP.search(turn.text):
        return None
    spec = res.flows["order_status"]
    slots = {"order_id": order_id} | slots_of(res.services, turn.entities, turn.reading.context, spec)
    return [StartFlow("order_status", slots, text=turn.reading.text)]


def requests(res: Resources, turn: Turn) -> list[Command]:
    """New requests: one per flow the caller asked for, in the order said (several when
    two clauses each ask for a different flow), after a `Deny` for each flow refused; no
    flow: a question for the manual (or "A, or B?"). Always answers."""
    reading = turn.reading
    refused = frozenset(reading.refused)
    denies: list[Command] = [Deny(name) for name in reading.refused]
    if not reading.positive:
        return denies or [Clarify()]
    several = _several(res, turn, reading.requests(), refused)
    if several:
        return denies + several
    ranked = res.classifier.rank(turn.clean)
    chosen = route(turn.clean, ranked, res.flows, choices=turn.ctx.choices,
                   names_order=bool(turn.entities.order_ids),
                   names_product=bool(turn.entities.products), refused=refused)
    if chosen.choices:
        return [*denies, Clarify(chosen.choices)]
    if chosen.flow is None and _just_no(turn):
        return [*denies, Deny()]  # "no, don't start anything, thanks"
    if chosen.flow is None:
        return [*denies, KnowledgeQuestion(turn.clean)]
    spec = res.flows[chosen.flow]
    if spec.grounding and res.knowledge is not None and res.knowledge.answered_elsewhere(
            turn.clean, spec.grounding):
        # "how long until my return credit shows up" is a billing answer, not a return
        return [*denies, KnowledgeQuestion(turn.clean)]
    slots = slots_of(res.services, turn.entities, turn.reading.context, spec)
    return [*denies, StartFlow(chosen.flow, slots, text=turn.reading.text,
                               confidence=chosen.confidence)]


def _just_no(turn: Turn) -> bool:
    """A refusal with nothing else asked: a no, not a question for the manual."""
    said_no = Cue.DENY in turn.cues or any(c.negated for c in turn.reading.clauses)
    return said_no and len(turn.reading.text.split()) <= SHORT_NO_WORDS


def _several(res: Resources, turn: Turn, asks: list[Clause],
             refused: frozenset[str]) -> list[Command]:
    """Two or more clauses asking for different flows: one StartFlow each, with the
    statements around them as their detail ("I'm gold, how long do I have to return...")."""
    if len(asks) < 2:
        return []
    texts = [strip_fillers(c.body) for c in asks]
    ranks = res.classifier.rank_many(texts)
    flow_of = {}
    for clause, text, ranked in zip(asks, texts, ranks, strict=True):
        chosen = route(text, ranked, res.flows, refused=refused,
                       names_order=bool(res.services.entities(text).order_ids))
        if chosen.flow is not None:
            flow_of[id(clause)] = chosen.flow
    groups: list[tuple[str | None, list[str]]] = []
    for clause in turn.reading.positive:
        flow = flow_of.get(id(clause))
        if groups and (flow is None or flow == groups[-1][0]) and groups[-1][0] is not None:
            groups[-1][1].append(clause.body)
        elif groups and groups[-1][0] is None:
            groups[-1] = (flow, [*groups[-1][1], clause.body])  # statements before a request
        else:
            groups.append((flow, [clause.body]))
    named = [(flow, ". ".join(words)) for flow, words in groups if flow is not None]
    if len({flow for flow, _ in named}) < 2:
        return []
    out: list[Command] = []
    for flow, text in named:
        slots = slots_of(res.services, res.services.entities(text), text, res.flows[flow])
        out.append(StartFlow(flow, slots, text=text))
    return out
