"""The stored form of a text conversation's turns: the same rows and meta as a call's.

A caller turn is the message as written; an agent turn carries what the voice loop puts
on its agent turns (intent, confidence, escalation, tool calls, cited documents), so QA,
KPIs and the CSAT recorder read text and voice alike (telephony/qa/facts.py). Latency is
the brain's time (`dialog_ms`); there is no speech to time.
"""

from __future__ import annotations

import time

from dialog.types import Reply
from voice.events import TurnRecord


def caller_turn(call_id: str, text: str, at: float | None = None) -> TurnRecord:
    at = time.time() if at is None else at
    return TurnRecord(call_id=call_id, speaker="caller", text=text, started_at=at, ended_at=at)


def agent_turn(call_id: str, reply: Reply, dialog_s: float | None) -> TurnRecord:
    """The reply as sent now; `dialog_s`: the brain's time to answer (None for the greeting,
    which is untimed on a call too)."""
    latency = {} if dialog_s is None else {"dialog_ms": round(dialog_s * 1000, 1)}
    meta = {"intent": reply.intent, "confidence": reply.confidence, "escalate": reply.escalate,
            "escalation_reason": reply.escalation_reason, "tool_calls": reply.tool_calls,
            "citations": [c.doc_id for c in reply.citations]}
    at = time.time()
    return TurnRecord(call_id=call_id, speaker="agent", text=reply.text, started_at=at, ended_at=at,
                      latency=latency, meta=meta)
