"""Choose a flow from the classifier's ranking, or say which two the caller may mean.

Pure: the open "A, or B?" question comes in as `choices` and goes out as `Route.choices`;
the flow engine keeps it in the state (dialog.flowengine)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialog.flows.spec import FlowRegistry
from dialog.intents import FLOW_CONFIDENCE

# A pending "A or B?" question yields to a clearly different request.
OVERRIDE_CONFIDENCE = 0.8
SHORT_ANSWER_WORDS = 4
ORDER_REF_DISCOUNT = 0.5
_BARE_ORDER_REF = re.compile(
    r"(?:(?:it'?s|it is|my|the|order|number|no\.?|is|um|uh)\s+)*[#\d\s\-]+[.#]?", re.I)


@dataclass(frozen=True)
class Route:
    flow: str | None
    confidence: float
    choices: tuple[str, ...] = ()  # ask "Is that about A, or B?" instead of running anything


def _guarded(
    flows: FlowRegistry, text: str, ranked: list[tuple[str, float]], refused: frozenset[str]
) -> list[tuple[str, float]]:
    """Flows whose required words `text` lacks, or that the caller refused in the same
    breath (unless they answer before they offer: `FlowSpec.offers`), are dropped, not
    renormalised: their mass must not inflate a neighbouring flow."""
    kept = [(label, p) for label, p in ranked if flows.allows(label, text)
            and (label not in refused or flows[label].offers)]
    return kept or [("other", 0.0)]


def route(
    text: str,
    ranked: list[tuple[str, float]],
    flows: FlowRegistry,
    *,
    choices: tuple[str, ...] = (),
    names_order: bool = False,
    names_product: bool = False,
    refused: frozenset[str] = frozenset(),
) -> Route:
    """Pick one of `flows` from the classifier's `ranked` labels, or name two to ask about.

    `choices`: the flows of an "A, or B?" asked last turn. `names_order`: the caller gave
    an order number, which lowers the bar for a flow about an order (they clearly mean a
    specific order, not a policy question); `names_product`: a product of the catalogue was
    named, which lowers it the same way when a flow is the likeliest label ("when does my
    jacket ship"), not when "other" is ("are the boots waterproof"). `refused`: flows the
    caller just refused."""
    ranked = _guarded(flows, text, ranked, refused)
    top, top_p = ranked[0]
    if choices:
        low = text.lower()
        named = [c for c in choices if c in flows and any(w in low for w in flows[c].choice_words)]
        if len(named) == 1:
            return Route(named[0], 1.0)
        short = len(text.split()) <= SHORT_ANSWER_WORDS
        if short or not (top not in choices and top_p >= OVERRIDE_CONFIDENCE):
            label, p = next((lp for lp in ranked if lp[0] in choices), ranked[0])
            return Route(label if label in flows else None, p)
    if names_order and _BARE_ORDER_REF.fullmatch(text.strip()):
        # nothing but an order number ("10251#" on the keypad, "it's one zero two five one"):
        # with no question pending, the caller wants that order looked up
        return Route("order_status", 1.0)
    for label, p in ranked[:2]:
        if (spec := flows.get(label)) is not None and spec.named_in(text):
            return Route(label, p)
    if top in flows and top_p >= FLOW_CONFIDENCE:
        return Route(top, top_p)
    best_flow = next(((label, p) for label, p in ranked if label in flows), None)
    specific = names_order or (names_product and top in flows)
    if specific and best_flow and best_flow[1] >= FLOW_CONFIDENCE * ORDER_REF_DISCOUNT:
        return Route(*best_flow)
    likely = [(label, p) for label, p in ranked[:2] if label in flows]
    if len(likely) == 2 and likely[0][1] + likely[1][1] >= FLOW_CONFIDENCE:
        return Route(None, likely[0][1], tuple(label for label, _ in likely))
    return Route(None, top_p)
