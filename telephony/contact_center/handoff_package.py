"""The handoff package a human agent receives, and the routing facts of a call.

Built from the dialog's escalating reply (its `tool_calls[0]` is the dialog's own
package: summary, customer, intent, steps done, caller turns), the customer card
(telephony/contact_center/customers.py: found by the identity the AI tied the call to, or by
caller id, with how far it is verified), the live session (sentiment as a label and a
trend, intent) and the stored transcript so far; the same for a call and a text
conversation.
"""

from __future__ import annotations

import time
from typing import Any

from telephony.contact_center.customers import CustomerCard
from telephony.conversations.conversation import Conversation
from telephony.core.rules import RoutingFacts

SENTIMENT_TURNS = 3
NEGATIVE, POSITIVE = -0.05, 0.05  # VADER's usual thresholds (as qa/facts.py)
TREND_STEP = 0.15  # the recent mean moved at least this much from the earlier one


def dialog_package(reply: Any) -> dict[str, Any]:
    for call in getattr(reply, "tool_calls", None) or ():
        if isinstance(call, dict) and call.get("tool") == "handoff":
            return {k: v for k, v in call.items() if k != "tool"}
    return {}


def sentiment_of(conv: Conversation) -> float | None:
    scores = conv.session.caller_sentiment()[-SENTIMENT_TURNS:]
    return round(sum(scores) / len(scores), 3) if scores else None


def sentiment_label(score: float | None) -> str:
    if score is None:
        return "not enough said"
    return "negative" if score <= NEGATIVE else "positive" if score >= POSITIVE else "neutral"


def sentiment_trend(conv: Conversation) -> str:
    """"improving", "worsening" or "steady": the last turns' mean against the earlier ones'."""
    scores = conv.session.caller_sentiment()
    if len(scores) < 2:
        return "steady"
    recent = scores[-SENTIMENT_TURNS:] if len(scores) > SENTIMENT_TURNS else scores[len(scores) // 2:]
    earlier = scores[:-len(recent)]
    delta = sum(recent) / len(recent) - sum(earlier) / len(earlier)
    return "improving" if delta >= TREND_STEP else "worsening" if delta <= -TREND_STEP else "steady"


def intent_of(conv: Conversation) -> str | None:
    return conv.session.last_intent()


def routing_facts(conv: Conversation, reply: Any, package: dict[str, Any],
                  language: str = "en") -> RoutingFacts:
    customer = package.get("customer") or {}
    return RoutingFacts(
        intent=package.get("intent") or intent_of(conv),
        tier=customer.get("tier") if isinstance(customer, dict) else None,
        sentiment=sentiment_of(conv),
        language=language,  # no conversation knows its language yet: English
        reason=getattr(reply, "escalation_reason", None) or package.get("reason"),
    )


def _summary(package: dict[str, Any], card: CustomerCard | None, reason: str) -> str:
    summary = str(package.get("summary") or f"Handoff because: {reason}.")
    if card is not None and summary.startswith("Unidentified caller"):
        summary = f"{card.name} ({card.tier} member, {card.method})" + summary.removeprefix(
            "Unidentified caller")
    return summary


def build_package(conv: Conversation, reply: Any, turns: list[dict[str, Any]], queue: str,
                  routed_by: str, card: CustomerCard | None = None) -> dict[str, Any]:
    package = dialog_package(reply)
    reason = getattr(reply, "escalation_reason", None) or package.get("reason") or "caller asked"
    sentiment = sentiment_of(conv)
    return {
        "call_id": conv.call_id,
        "channel": conv.channel,
        "caller_id": conv.caller_id,
        "queue": queue,
        "routed_by": routed_by,
        "reason": reason,
        "summary": _summary(package, card, reason),
        "customer": card.as_dict() if card is not None else package.get("customer"),
        "identity": package.get("identity"),  # how far the caller was verified, and how
        "intent": package.get("intent") or intent_of(conv),
        "steps_done": package.get("steps_done", []),
        "sentiment": sentiment,
        "sentiment_label": sentiment_label(sentiment),
        "sentiment_trend": sentiment_trend(conv),
        "transfer_message": getattr(reply, "text", ""),
        "transcript": [{"speaker": t.get("speaker"), "text": t.get("text"),
                        "at": t.get("started_at")} for t in turns],
        "escalated_at": time.time(),
    }
