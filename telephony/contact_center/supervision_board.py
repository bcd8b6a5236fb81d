"""The wallboard's picture of the floor: active calls and queues a supervisor may see."""

from __future__ import annotations

import time
from typing import Any

from telephony.auth.policy import can_see_call
from telephony.auth.types import User
from telephony.contact_center.desk import queues_of
from telephony.contact_center.handoff import HandoffService
from telephony.contact_center.handoff_package import intent_of, sentiment_of
from telephony.conversations.conversation import Conversation
from telephony.conversations.registry import CallRegistry, LiveCall
from voice.processors.bridge import BridgeMode

SENTIMENT_TREND_TURNS = 5


def _trend(scores: list[float]) -> str:
    if len(scores) < 2:
        return "steady"
    delta = scores[-1] - scores[0]
    return "rising" if delta > 0.2 else "falling" if delta < -0.2 else "steady"


def _mode(conv: Conversation, handoff: HandoffService) -> BridgeMode:
    """A call's bridge knows; a text conversation is waiting once queued, human once taken."""
    if isinstance(conv, LiveCall) and conv.bridge is not None:
        return conv.bridge.mode
    if conv.call_id in handoff.handlers:
        return BridgeMode.HUMAN
    return BridgeMode.HOLD if conv.call_id in handoff.packages else BridgeMode.AI


async def snapshot(calls: CallRegistry, handoff: HandoffService, user: User) -> dict[str, Any]:
    now = time.time()
    rows = []
    for call_id, live in list(calls.active.items()):
        record = await calls.services.store.call(call_id)
        if record is None or not can_see_call(user, record):
            continue
        meta = record.get("meta") or {}
        scores = [round(s, 2) for s in live.session.caller_sentiment()][-SENTIMENT_TREND_TURNS:]
        mode = _mode(live, handoff)
        handler = {BridgeMode.AI: "AI", BridgeMode.HOLD: "waiting"}.get(mode) or (
            handoff.handlers.get(call_id) or meta.get("assigned_agent") or "agent")
        bridge = live.bridge if isinstance(live, LiveCall) else None
        supervised = bridge.mixer.mode.value if bridge is not None else "off"
        rows.append({
            "call_id": call_id, "channel": live.transport, "caller_id": live.caller_id,
            "duration_s": round(now - live.started_at, 1), "intent": intent_of(live),
            "sentiment": sentiment_of(live), "sentiment_trend": _trend(scores),
            "sentiment_recent": scores, "mode": mode.value, "handler": handler,
            "queue": meta.get("queue"), "supervised": supervised,
        })
    queues = [{"queue": s.queue, "waiting": s.waiting, "longest_wait_s": s.longest_wait_s}
              for s in await handoff.queues.stats(queues_of(user))]
    agents = [{"agent": a, "status": s} for a, s in sorted(handoff.presence.items())]
    return {"type": "wallboard", "at": now, "calls": rows, "queues": queues, "agents": agents}
