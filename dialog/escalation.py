"""When to hand over to a human, and the package the human receives."""

from __future__ import annotations

from collections.abc import Sequence

from dialog import identity, replies
from dialog.services import Services
from dialog.types import Reply, Session
from nlu.pii import redact
from nlu.sentiment import NEGATIVE_THRESHOLD

# Escalate before frustration peaks: a sustained negative trend over the last turns
# (mean compound at or below -0.5, with at least two clearly negative turns), so one
# blunt "no, that's wrong" does not trigger it but a run of angry turns does.
TREND_TURNS = 3
TREND_MEAN = -0.5
MIN_NEGATIVE_TURNS = 2
FRUSTRATED_FAILURES = 2  # with falling sentiment, the failure that hands over


def should_escalate(sentiments: Sequence[float]) -> str | None:
    recent = list(sentiments)[-TREND_TURNS:]
    if len(recent) < TREND_TURNS:
        return None
    negative = sum(1 for s in recent if s <= NEGATIVE_THRESHOLD)
    if sum(recent) / len(recent) <= TREND_MEAN and negative >= MIN_NEGATIVE_TURNS:
        return f"caller frustrated (sentiment trend {sum(recent) / len(recent):.2f} over {TREND_TURNS} turns)"
    return None


def frustrated(failures: int, sentiments: Sequence[float]) -> str | None:
    """A frustration slide: the second failure in a row while the caller's mood is negative
    and falling hands over now, before a third failure would."""
    if failures < FRUSTRATED_FAILURES or len(sentiments) < 2:
        return None
    last, before = sentiments[-1], sentiments[-2]
    if last < 0 and last <= before:
        return f"caller frustrated ({failures} failures, sentiment falling to {last:.2f})"
    return None


def handoff(session: Session, reason: str, services: Services | None = None) -> Reply:
    """Reply.tool_calls[0] is the handoff package: {'tool': 'handoff', ...} (docs/dialog.md)."""
    customer = None
    if services is not None and session.state.customer_id:
        found = services.customers.by_id(str(session.state.customer_id))
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
        "identity": identity.describe(session),
        "intent": session.state.last_intent,
        "steps_done": list(session.state.steps_done),
        "caller_turns": caller_turns[-6:],
        "summary": _summary(reason, customer, session),
        "supervisor_guidance": list(session.guidance),
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
    who = f"{who}, {identity.how_verified(session)}"
    topic = session.state.last_intent or "no topic identified"
    steps = ", ".join(session.state.steps_done) or "none"
    return f"{who}. Topic: {topic}. Steps done: {steps}. Handoff because: {reason}."
