"""The handoff package a human agent receives, and the routing facts of a call.

Built from the dialog's escalating reply (its `tool_calls[0]` is the dialog's own
package: summary, customer, intent, steps done, caller turns), the live session
(sentiment trend, intent) and the stored transcript so far.
"""

from __future__ import annotations

import time
from typing import Any

from telephony.core.rules import RoutingFacts
from voice.context import CallContext

SENTIMENT_TURNS = 3


def dialog_package(reply: Any) -> dict[str, Any]:
    for call in getattr(reply, "tool_calls", None) or ():
        if isinstance(call, dict) and call.get("tool") == "handoff":
            return {k: v for k, v in call.items() if k != "tool"}
    return {}


def sentiment_of(ctx: CallContext) -> float | None:
    scores = ctx.session.caller_sentiment()[-SENTIMENT_TURNS:] if ctx.session is not None else []
    return round(sum(scores) / len(scores), 3) if scores else None


def intent_of(ctx: CallContext) -> str | None:
    return ctx.session.last_intent() if ctx.session is not None else None


def routing_facts(ctx: CallContext, reply: Any, package: dict[str, Any]) -> RoutingFacts:
    customer = package.get("customer") or {}
    return RoutingFacts(
        intent=package.get("intent") or intent_of(ctx),
        tier=customer.get("tier") if isinstance(customer, dict) else None,
        sentiment=sentiment_of(ctx),
        language=getattr(ctx.services.config, "language", None) or "en",
        reason=getattr(reply, "escalation_reason", None) or package.get("reason"),
    )


def build_package(ctx: CallContext, reply: Any, turns: list[dict[str, Any]], queue: str,
                  routed_by: str) -> dict[str, Any]:
    package = dialog_package(reply)
    reason = getattr(reply, "escalation_reason", None) or package.get("reason") or "caller asked"
    return {
        "call_id": ctx.call_id,
        "channel": ctx.channel,
        "caller_id": ctx.caller_id,
        "queue": queue,
        "routed_by": routed_by,
        "reason": reason,
        "summary": package.get("summary") or f"Handoff because: {reason}.",
        "customer": package.get("customer"),
        "intent": package.get("intent") or intent_of(ctx),
        "steps_done": package.get("steps_done", []),
        "sentiment": sentiment_of(ctx),
        "transfer_message": getattr(reply, "text", ""),
        "transcript": [{"speaker": t.get("speaker"), "text": t.get("text"),
                        "at": t.get("started_at")} for t in turns],
        "escalated_at": time.time(),
    }
