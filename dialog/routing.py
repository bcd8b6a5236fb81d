"""Choose a flow from the classifier's ranking, or ask which of two the caller means."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialog.flows.policy import EXPLICIT_WORDS, REQUIRED_WORDS
from dialog.intents import FLOW_CONFIDENCE, FLOW_INTENTS
from dialog.types import Reply, Session

# A pending "A or B?" question yields to a clearly different request.
OVERRIDE_CONFIDENCE = 0.8
FLOW_PHRASES = {
    "order_status": "checking on an order",
    "return_window": "returning something",
    "cancel_order": "cancelling an order",
    "cancel_subscription": "cancelling your subscription",
    "pause_subscription": "pausing your subscription",
    "upgrade_plan": "upgrading your plan",
    "complaint": "making a complaint",
    "recover_username": "finding your username",
    "reset_password": "resetting your password",
}


@dataclass(frozen=True)
class Route:
    flow: str | None
    confidence: float
    question: Reply | None = None  # ask this instead of running anything


# Words that pick one side of an "A or B?" question ("the subscription", "my order").
CHOICE_WORDS = {
    "order_status": ("status", "where", "track", "deliver", "check"),
    "return_window": ("return", "send back"),
    "cancel_order": ("order",),
    "cancel_subscription": ("subscription", "membership", "plan"),
    "pause_subscription": ("pause",),
    "upgrade_plan": ("upgrade",),
    "complaint": ("complain",),
    "recover_username": ("username", "user name"),
    "reset_password": ("password",),
}
SHORT_ANSWER_WORDS = 4
ORDER_REF_DISCOUNT = 0.5


# A cancellation flow never starts unless the caller used a word for it: the classifier
# alone must not turn "an extension on my subscription" into a cancellation.
_CANCEL_WORDS = re.compile(
    r"\b(cancel\w*|stop|end (?:my|the|this|our)|terminate|quit|unsubscribe|close|call off|get rid of|"
    r"don'?t want|do not want|no longer want)\b",
    re.IGNORECASE,
)
STATE_CHANGING_FLOWS = ("cancel_order", "cancel_subscription")


_BARE_ORDER_REF = re.compile(
    r"(?:(?:it'?s|it is|my|the|order|number|no\.?|is|um|uh)\s+)*[#\d\s\-]+[.#]?", re.I)


def _guarded(text: str, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
    # Dropped, not renormalised: their mass must not inflate a neighbouring flow.
    if not _CANCEL_WORDS.search(text):
        ranked = [(label, p) for label, p in ranked if label not in STATE_CHANGING_FLOWS]
    return [
        (label, p)
        for label, p in ranked
        if label not in REQUIRED_WORDS or REQUIRED_WORDS[label].search(text)
    ] or [("other", 0.0)]


def route(
    session: Session, text: str, ranked: list[tuple[str, float]], *, names_order: bool = False
) -> Route:
    """`names_order`: the caller gave an order number, which lowers the bar for a flow
    about an order (they clearly mean a specific order, not a policy question)."""
    ranked = _guarded(text, ranked)
    top, top_p = ranked[0]
    choices, session.state.intent_choices = session.state.intent_choices, []
    if choices:
        low = text.lower()
        named = [c for c in choices if any(w in low for w in CHOICE_WORDS.get(c, ()))]
        if len(named) == 1:
            return Route(named[0], 1.0)
        short = len(text.split()) <= SHORT_ANSWER_WORDS
        if short or not (top not in choices and top_p >= OVERRIDE_CONFIDENCE):
            label, p = next((lp for lp in ranked if lp[0] in choices), ranked[0])
            return Route(label if label in FLOW_INTENTS else None, p)
    if names_order and _BARE_ORDER_REF.fullmatch(text.strip()):
        # nothing but an order number ("10251#" on the keypad, "it's one zero two five one"):
        # with no question pending, the caller wants that order looked up
        return Route("order_status", 1.0)
    for label, p in ranked[:2]:
        if label in EXPLICIT_WORDS and EXPLICIT_WORDS[label].search(text):
            return Route(label, p)
    if top in FLOW_INTENTS and top_p >= FLOW_CONFIDENCE:
        return Route(top, top_p)
    best_flow = next(((label, p) for label, p in ranked if label in FLOW_INTENTS), None)
    if names_order and best_flow and best_flow[1] >= FLOW_CONFIDENCE * ORDER_REF_DISCOUNT:
        return Route(*best_flow)
    flows = [(label, p) for label, p in ranked[:2] if label in FLOW_INTENTS]
    if len(flows) == 2 and flows[0][1] + flows[1][1] >= FLOW_CONFIDENCE:
        session.state.intent_choices = [label for label, _ in flows]
        a, b = (FLOW_PHRASES[label] for label, _ in flows)
        question = Reply(
            text=f"Sure. Is that about {a}, or {b}?",
            intent="disambiguate",
            confidence=round(flows[0][1], 3),
        )
        return Route(None, flows[0][1], question)
    return Route(None, top_p)
