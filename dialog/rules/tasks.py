"""Rules that carry out the caller's tasks: repairs of the current one ("no, the other
order", "pause it instead"), the answer to a read-back or to a flow's open question,
a follow-up about the order just discussed, a new flow, and a grounded answer."""

from __future__ import annotations

import logging
import re

from dialog.flows.confirm import confirm
from dialog.flows.orders import order_status
from dialog.flows.pause import take_alternative
from dialog.routing import route
from dialog.rules.base import Resources, Turn
from dialog.types import Reply
from nlu.cues import Cue
from nlu.entities import Entities

log = logging.getLogger(__name__)

# Questions about the order just discussed; answered by re-stating its status.
_ORDER_FOLLOW_UP = re.compile(
    r"\b(carrier|tracking|courier|arriv\w*|deliver\w*|ship\w*|late|delay\w*|when|where|status|estimate)\b",
    re.IGNORECASE,
)


def correction(res: Resources, turn: Turn) -> Reply | None:
    """"No, the other order": forget the order we picked and run the last flow again."""
    order = turn.state.order
    if Cue.CORRECTION not in turn.cues or turn.last_flow not in res.flows or not order.order_id:
        return None
    turn.state.pending = None
    order.excluded.append(order.order_id)
    order.order_id = None
    return res.flows[turn.last_flow].handler(res.services, turn.session, turn.entities)


def alternative_picked(res: Resources, turn: Turn) -> Reply | None:
    """"Pause it instead" while a cancellation is read back: read back the pause."""
    return take_alternative(turn.session, turn.text)


def read_back_answer(res: Resources, turn: Turn) -> Reply | None:
    """The answer to a pending read-back: yes runs the tool, no drops it, else ask again."""
    return confirm(res.services, turn.session, turn.cues)


def awaited_detail(res: Resources, turn: Turn) -> Reply | None:
    """A detail (order number, date, email, tier...) for the flow whose question is open;
    a free-text flow takes any words. A goodbye or thanks is not an answer."""
    waiting = res.flows.get(turn.state.awaiting_flow)
    if waiting is None or turn.cues & {Cue.GOODBYE, Cue.THANKS}:
        return None
    if not (_gives_detail(turn.entities) or waiting.free_text):
        return None
    reply = waiting.handler(res.services, turn.session, turn.entities)
    return grounded(res, waiting.name, reply, turn.text)


def order_follow_up(res: Resources, turn: Turn) -> Reply | None:
    """"Which carrier is it with?" right after an order's status: re-state that order."""
    if not turn.state.order.order_id or turn.last_flow != "order_status":
        return None
    if not _ORDER_FOLLOW_UP.search(turn.text):
        return None
    return order_status(res.services, turn.session, turn.entities)


def routed_flow(res: Resources, turn: Turn) -> Reply | None:
    """Start the flow the classifier picks (dialog.routing), or ask which of two."""
    ranked = res.classifier.rank(turn.clean)
    chosen = route(turn.session, turn.clean, ranked, res.flows,
                   names_order=bool(turn.entities.order_ids))
    if chosen.question is not None:
        return chosen.question
    if chosen.flow is None:
        return None
    grounding = res.flows[chosen.flow].grounding
    if grounding and (other := res.knowledge.answered_elsewhere(turn.clean, grounding)):
        # "how long until my return credit shows up" is a billing answer, not a return
        log.debug("call %s: %s left to the manual's %s", turn.session.call_id, chosen.flow, other)
        return None
    log.debug("call %s: flow %s (%.2f)", turn.session.call_id, chosen.flow, chosen.confidence)
    reply = res.flows[chosen.flow].handler(res.services, turn.session, turn.entities)
    reply.confidence = round(chosen.confidence, 3)
    return grounded(res, chosen.flow, reply, turn.clean)


def knowledge_answer(res: Resources, turn: Turn) -> Reply | None:
    """A question the manual answers: its passage, spoken and cited."""
    answer = res.knowledge.answer(turn.clean)
    turn.kb_score = answer.best_score
    return answer.reply


def grounded(res: Resources, flow: str, reply: Reply, text: str) -> Reply:
    """Attach the manual passage a flow's general answer rests on (its `grounding`)."""
    spec = res.flows.get(flow)
    if spec is None or spec.grounding is None or reply.citations:
        return reply
    answer = res.knowledge.answer(text)
    if answer.reply is not None:
        prefix = spec.grounding
        reply.citations = [c for c in answer.reply.citations if c.doc_id.startswith(prefix)]
    return reply


def _gives_detail(ents: Entities) -> bool:
    return bool(
        ents.order_ids or ents.dates or ents.emails or ents.phones or ents.tiers or ents.products
    )
