"""The wallboard's picture of the floor, kept up to date by patches from the live feed.

One `Board` per open wallboard: `snapshot()` is the whole picture (what the supervisor may
see); `apply(message)` turns one message of the registry's floor feed into the patches that
change it, and `tick()` refreshes what only time changes (the figures' window):

  {"type": "snapshot", "now", "calls": [row], "queues": [...], "agents": [...],
   "callbacks": [...], "figures": [...], "settings": {service_level_s, figures_window_s}}
  {"type": "call", "row": row}            a call appeared or changed (sent only on change)
  {"type": "call_removed", "call_id"}     it ended (or left the supervisor's queues)
  {"type": "queues", "queues": [...]}     waiting counts and the oldest caller's queue time
  {"type": "agents", "agents": [...]}     presence, with the time each entered its status
  {"type": "callbacks", "callbacks": [...]}
  {"type": "figures", "figures": [...]}   telephony/contact_center/figures.py

Rows carry start times, never durations: the page ticks its own clocks, so nothing is sent
every second and the page never re-renders what the supervisor is typing in. Everything is
read from the live objects (registry, handoff service); only the figures read the store.
"""

from __future__ import annotations

import time
from typing import Any

from telephony.auth.policy import can_see_call
from telephony.auth.types import User
from telephony.contact_center.access import queues_of
from telephony.contact_center.handoff import HandoffService
from telephony.contact_center.handoff_package import intent_of, sentiment_of
from telephony.conversations.conversation import Conversation
from telephony.conversations.feed import Message
from telephony.conversations.registry import CallRegistry, LiveCall
from voice.processors.bridge import BridgeMode

SENTIMENT_TREND_TURNS = 5
QUEUE_CHANGES = {"queued", "dequeued", "answered", "ended"}
FIGURE_CHANGES = {"answered", "ended", "dequeued", "callback"}


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


def call_row(conv: Conversation, handoff: HandoffService) -> dict[str, Any]:
    call_id = conv.call_id
    package = handoff.packages.get(call_id) or {}
    mode = _mode(conv, handoff)
    agent = handoff.handlers.get(call_id)
    handler = {BridgeMode.AI: "AI", BridgeMode.HOLD: "waiting"}.get(mode) or agent or "agent"
    since = {BridgeMode.AI: conv.started_at, BridgeMode.HOLD: package.get("escalated_at"),
             BridgeMode.HUMAN: handoff.answered_at.get(call_id)}.get(mode) or conv.started_at
    scores = [round(s, 2) for s in conv.session.caller_sentiment()][-SENTIMENT_TREND_TURNS:]
    bridge = conv.bridge if isinstance(conv, LiveCall) else None
    return {
        "call_id": call_id, "channel": conv.transport, "caller_id": conv.caller_id,
        "started_at": conv.started_at, "mode": mode.value, "mode_since": since,
        "handler": handler, "agent": agent, "queue": package.get("queue"),
        "intent": intent_of(conv), "sentiment": sentiment_of(conv),
        "sentiment_trend": _trend(scores), "sentiment_recent": scores,
        "supervised": bridge.mixer.mode.value if bridge is not None else "off",
        "callback_pending": bool(bridge is not None and bridge.letting_go),
    }


class Board:
    def __init__(self, calls: CallRegistry, handoff: HandoffService, user: User) -> None:
        self.calls = calls
        self.handoff = handoff
        self.user = user
        self.visible = queues_of(user)
        self._rows: dict[str, dict[str, Any]] = {}  # what this board has been sent

    def _may_see(self, row: dict[str, Any]) -> bool:
        meta = {"queue": row["queue"], "assigned_agent": row["agent"]}
        return can_see_call(self.user, {"meta": meta})

    def _row(self, call_id: str) -> dict[str, Any] | None:
        conv = self.calls.active.get(call_id)
        if conv is None:
            return None
        row = call_row(conv, self.handoff)
        return row if self._may_see(row) else None

    async def snapshot(self) -> Message:
        rows = [r for r in (self._row(c) for c in list(self.calls.active)) if r is not None]
        self._rows = {r["call_id"]: r for r in rows}
        consoles = self.handoff.consoles
        return {"type": "snapshot", "now": time.time(), "calls": rows,
                "queues": await self._queues(), "agents": self._agents(),
                "callbacks": await self._callbacks(), "figures": await self._figures(),
                "settings": {"service_level_s": consoles.service_level_s,
                             "figures_window_s": consoles.figures_window_s}}

    async def apply(self, message: Message) -> list[Message]:
        kind = message.get("type")
        if kind == "resync":
            return [await self.snapshot()]
        out: list[Message] = []
        call_id = message.get("call_id")
        if isinstance(call_id, str) and kind != "presence":
            out.extend(self._patch_call(call_id))
        if kind in QUEUE_CHANGES:
            out.append({"type": "queues", "queues": await self._queues()})
        if kind == "presence":
            out.append({"type": "agents", "agents": self._agents()})
        if kind in ("callback", "callback_done"):
            out.append({"type": "callbacks", "callbacks": await self._callbacks()})
        if kind in FIGURE_CHANGES:
            self.handoff.figures.stale()
            out.append({"type": "figures", "figures": await self._figures()})
        return out

    async def tick(self) -> list[Message]:
        """What changes with time alone: the figures' sliding window."""
        return [{"type": "figures", "figures": await self._figures()}]

    def _patch_call(self, call_id: str) -> list[Message]:
        row = self._row(call_id)
        if row is None:
            return [{"type": "call_removed", "call_id": call_id}] if self._rows.pop(call_id, None) else []
        if self._rows.get(call_id) == row:
            return []
        self._rows[call_id] = row
        return [{"type": "call", "row": row}]

    async def _queues(self) -> list[dict[str, Any]]:
        oldest: dict[str, float] = {}
        for entry in await self.handoff.queues.waiting(self.visible):
            oldest[entry.queue] = min(oldest.get(entry.queue, entry.enqueued_at), entry.enqueued_at)
        return [{"queue": s.queue, "waiting": s.waiting, "oldest_at": oldest.get(s.queue)}
                for s in await self.handoff.queues.stats(self.visible)]

    def _agents(self) -> list[dict[str, Any]]:
        return [p.as_dict() for p in self.handoff.presence.everyone()]

    async def _callbacks(self) -> list[dict[str, Any]]:
        return [c.as_dict() for c in await self.handoff.callbacks.open(self.visible)]

    async def _figures(self) -> list[dict[str, Any]]:
        return [f.as_dict() for f in await self.handoff.figures.get(self.visible)]
