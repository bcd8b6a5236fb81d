"""The caller's answer to a pending read-back, as commands (executed by
dialog.flowengine.readback). Only a plain yes to exactly what was read back is an
`Affirm`: a yes that changes something ("yes, but the other order", "yes, cancel the
jacket" when the socks were read back) is the change, not a yes.

In order: an answer that names a sibling flow ("no, I meant my subscription, not the
order", or even "yes, cancel the subscription" when the order was read back) -> Deny() +
StartFlow(sibling); "the other one" -> RejectSlot; the offered alternative
asked for ("pause it instead") -> StartFlow(alternative); the alternative refused ("I
don't want to pause it, I want to cancel it") -> Deny(alternative) [+ StartFlow(this
flow)]; the action itself refused ("I never said cancel") -> Deny(); a detail that
differs from the read-back -> CorrectSlot; a plain yes -> Affirm, a no -> Deny() (either
with any new request in a later clause: "no, but where is my jacket?"); anything else:
None (unclear: the engine asks once more).
"""

from __future__ import annotations

import datetime as dt

from dialog.commands import (
    Affirm,
    Command,
    CorrectSlot,
    Deny,
    PendingView,
    RejectSlot,
    StartFlow,
)
from dialog.flows.spec import FlowSpec
from dialog.routing import route
from dialog.rules.base import Resources, Turn
from dialog.rules.reading import names
from dialog.rules.slots import slots_of
from nlu.clauses import Clause
from nlu.cues import Cue, cues, plain_yes
from nlu.normalize import strip_fillers

BARE_ANSWER_WORDS = 3  # "yes please", "no thanks": the answer, not a request


def read_back_answer(res: Resources, turn: Turn) -> list[Command] | None:
    pending, flow = turn.ctx.pending, res.flows.get(turn.ctx.flow)
    if pending is None:
        return None
    reading = turn.reading
    alternatives = [s for s in res.flows if s.confirms and s.confirms[0] in pending.alternatives]
    kin = [s for s in res.flows if flow is not None and flow.required_words is not None
           and s.required_words is flow.required_words]  # siblings: "yes, the subscription"
    answer, others = _answer_and_others(turn, [f for f in (flow, *alternatives, *kin) if f])
    positive = ". ".join(c.body for c in answer)
    yes = plain_yes(turn.text) and not reading.refused
    no = Cue.DENY in turn.cues or bool(reading.refused)
    sibling = _sibling(res, flow, positive) if flow is not None else None
    if sibling is not None:  # even after a yes: "yes, cancel the subscription" is not the order
        return [Deny(), StartFlow(sibling.name, text=positive)]
    if Cue.CORRECTION in turn.cues and turn.ctx.order_id:
        return [RejectSlot("order_id", turn.ctx.order_id)]
    for alt in alternatives:
        if alt.name not in reading.refused and names(alt, positive):
            return [StartFlow(alt.name, text=positive)]
    refused_alts = [Deny(a.name) for a in alternatives if a.name in reading.refused]
    if refused_alts:
        again = [StartFlow(flow.name)] if flow is not None and names(flow, positive) else []
        return [*refused_alts, *again]
    if flow is not None and flow.name in reading.refused:
        return [Deny()]
    changes = _changes(res, turn, positive, pending, flow)
    if changes:
        return changes
    if yes:
        return [Affirm(), *_more(res, turn, others, flow)]
    return [Deny(), *_more(res, turn, others, flow)] if no else None


def _answer_and_others(turn: Turn, about: list[FlowSpec]) -> tuple[list[Clause], list[Clause]]:
    """The clauses answering the read-back, and those asking for something else ("yes,
    and also tell me when my headset arrived"): a clause that asks on its own, is more
    than a bare yes/no, and names neither the read-back's flow nor its alternatives."""
    asks = {id(c) for c in turn.reading.requests()}
    answer: list[Clause] = []
    others: list[Clause] = []
    for clause in turn.reading.positive:
        bare = len(clause.text.split()) <= BARE_ANSWER_WORDS and cues(clause.text) & {
            Cue.AFFIRM, Cue.DENY}
        if id(clause) in asks and not bare and not any(names(f, clause.body) for f in about):
            others.append(clause)
        else:
            answer.append(clause)
    return answer, others


def _changes(res: Resources, turn: Turn, answer: str, pending: PendingView,
             flow: FlowSpec | None) -> list[Command]:
    """Details in the answer that the read-back does not contain."""
    if flow is None or not answer:
        return []
    slots = slots_of(res.services, res.services.entities(answer), answer, flow)
    question = pending.question.lower()
    return [CorrectSlot(k, v, text=turn.reading.text) for k, v in slots.items()
            if k in ("order_id", "product", "date", "tier", "plan", "amount")
            and not _said_in(k, v, question)]


def _said_in(name: str, value: str, question: str) -> bool:
    if name == "date":
        day = dt.date.fromisoformat(value)
        return f"{day:%B} {day.day}".lower() in question
    if name == "amount":
        return f"{float(value):g} dollars" in question
    return value.lower() in question


def _sibling(res: Resources, flow: FlowSpec, text: str) -> FlowSpec | None:
    """A flow sharing `flow`'s required words ("cancel...") that `text` names by its own
    choice words while not naming `flow`'s: "no, I meant my subscription"."""
    if flow.required_words is None or any(w in text.lower() for w in flow.choice_words):
        return None
    return next((s for s in res.flows if s.name != flow.name
                 and s.required_words is flow.required_words
                 and any(w in text.lower() for w in s.choice_words)), None)


def _more(res: Resources, turn: Turn, later: list[Clause],
          flow: FlowSpec | None) -> list[Command]:
    """"Yes, and also reset my password": requests in other clauses, for afterwards.
    Never the read-back's own flow or a sibling of it ("yes, cancel it")."""
    if not later:
        return []
    texts = [strip_fillers(c.body) for c in later]
    out: list[Command] = []
    for text, ranked in zip(texts, res.classifier.rank_many(texts), strict=True):
        chosen = route(text, ranked, res.flows, refused=frozenset(turn.reading.refused))
        spec = res.flows.get(chosen.flow)
        if spec is None or (flow is not None and (spec.name == flow.name or (
                flow.required_words is not None and spec.required_words is flow.required_words))):
            continue
        out.append(StartFlow(spec.name, slots_of(res.services, res.services.entities(text),
                                                 text, spec), text=text))
    return out
