"""The handoff package a human agent receives, and the routing facts of a call.

Built from the dialog's escalating reply (its `tool_calls[0]` is the dialog's own
package: summary, customer, intent, steps done, caller turns), the live session
(sentiment trend, intent) and the stored transcript so far; the same for a call and a
text conversation.
"""

from __future__ import annotations

import time
from typing import Any

from telephony.conversations.conversation import Conversation
from telephony.core.rules import RoutingFacts

SENTIMENT_TURNS = 3


def dialog_package(reply: Any) -> dict[str, Any]:
    for call in getattr(reply, "tool_calls", None) or ():
        if isinstance(call, dict) and call.get("tool") == "handoff":
            return {k: v for k, v in call.items() if k != "tool"}
    return {}


def sentiment_of(conv: Conversation) -> float | None:
    scores = conv.session.caller_sentiment()[-SENTIMENT_TURNS:]
    return round(sum(scores) / len(scores), 3) if scores else None


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


def build_package(conv: Conversation, reply: Any, turns: list[dict[str, Any]], queue: str,
                  routed_by: str) -> dict[str, Any]:
    package = dialog_package(reply)
    reason = getattr(reply, "escalation_reason", None) or package.get("reason") or "caller asked"
    return {
        "call_id": conv.call_id,
        "channel": conv.channel,
        "caller_id": conv.caller_id,
        "queue": queue,
        "routed_by": routed_by,
        "reason": reason,
        "summary": package.get("summary") or f"Handoff because: {reason}.",
        "customer": package.get("customer"),
        "identity": package.get("identity"),  # how far the caller was verified, and how
        "intent": package.get("intent") or intent_of(conv),
        "steps_done": package.get("steps_done", []),
        "sentiment": sentiment_of(conv),
        "transfer_message": getattr(reply, "text", ""),
        "transcript": [{"speaker": t.get("speaker"), "text": t.get("text"),
                        "at": t.get("started_at")} for t in turns],
        "escalated_at": time.time(),
    }
