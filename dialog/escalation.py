"""When to hand over to a human, and the package the human receives."""

from __future__ import annotations

from collections.abc import Sequence

from dialog import replies
from dialog.services import CUSTOMER_KEY, Services
from dialog.types import Reply, Session
from nlu.pii import redact
from nlu.sentiment import NEGATIVE_THRESHOLD

# Escalate before frustration peaks: this many negative turns in a row.
NEGATIVE_TURNS_TO_ESCALATE = 3


def should_escalate(sentiments: Sequence[float]) -> str | None:
    recent = list(sentiments)[-NEGATIVE_TURNS_TO_ESCALATE:]
    if len(recent) == NEGATIVE_TURNS_TO_ESCALATE and all(s <= NEGATIVE_THRESHOLD for s in recent):
        return f"caller frustrated ({NEGATIVE_TURNS_TO_ESCALATE} negative turns in a row)"
    return None


def handoff(session: Session, reason: str, services: Services | None = None) -> Reply:
    """Reply.tool_calls[0] is the handoff package: {'tool': 'handoff', ...} (docs/dialog.md)."""
    customer = None
    if services is not None and session.state.get(CUSTOMER_KEY):
        found = services.customers.by_id(str(session.state[CUSTOMER_KEY]))
        if found is not None:
            customer = {
                "customer_id": found.customer_id,
                "name": found.full_name,
                "tier": found.tier,
            }
    caller_turns = [redact(t) for who, t in session.history if who == "caller"]
    package = {
        "tool": "handoff",
        "call_id": session.call_id,
        "reason": reason,
        "customer": customer,
        "intent": session.state.get("last_intent"),
        "steps_done": list(session.state.get("steps", [])),
        "caller_turns": caller_turns[-6:],
        "summary": _summary(reason, customer, session),
    }
    return Reply(
        text=replies.HANDOFF,
        intent="escalate",
        confidence=1.0,
        escalate=True,
        escalation_reason=reason,
        tool_calls=[package],
    )


def _summary(reason: str, customer: dict[str, str] | None, session: Session) -> str:
    who = f"{customer['name']} ({customer['tier']} member)" if customer else "Unidentified caller"
    topic = session.state.get("last_intent") or "no topic identified"
    steps = ", ".join(session.state.get("steps", [])) or "none"
    return f"{who}. Topic: {topic}. Steps done: {steps}. Handoff because: {reason}."
