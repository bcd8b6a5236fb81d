"""The wallboard's contact-center figures, per queue, over a sliding window.

Over the calls decided in the last `consoles.figures_window_s` (answered by a person or
abandoned while queued):
- service level: the share answered within `consoles.service_level_s` of joining the queue,
  of all answered or abandoned (the usual "X% in Y seconds"; a caller who hung up after any
  wait counts against it);
- average speed of answer (ASA): the mean time answered callers waited in the queue;
- abandonment: callers who hung up while queued, and their share of answered + abandoned.
Callbacks (the caller chose to be called back) are counted apart: neither answered nor
abandoned. Read from the stored call events (`agent_answered`, `queue_abandoned`,
`callback_requested`), so a restart keeps the window.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from telephony.auth.policy import DEFAULT_QUEUE
from telephony.conversations.store import CallStore

KINDS = ("agent_answered", "queue_abandoned", "callback_requested")


@dataclass(frozen=True)
class Decided:
    """One queued call's outcome: `kind` one of KINDS, after `waited_s` in `queue`."""

    queue: str
    kind: str
    waited_s: float
    at: float


@dataclass(frozen=True)
class QueueFigures:
    queue: str
    answered: int
    answered_in_time: int
    abandoned: int
    callbacks: int
    service_level: float | None  # 0..1; None when nothing was answered or abandoned
    asa_s: float | None
    abandon_rate: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(decided: Iterable[Decided], threshold_s: float, queues: Iterable[str]) -> list[QueueFigures]:
    """Figures for each of `queues` (and any other queue that appears), sorted by name."""
    by_queue: dict[str, list[Decided]] = {q: [] for q in queues}
    for d in decided:
        by_queue.setdefault(d.queue, []).append(d)
    out = []
    for queue, items in sorted(by_queue.items()):
        answered = [d.waited_s for d in items if d.kind == "agent_answered"]
        abandoned = sum(1 for d in items if d.kind == "queue_abandoned")
        in_time = sum(1 for w in answered if w <= threshold_s)
        offered = len(answered) + abandoned
        out.append(QueueFigures(
            queue=queue, answered=len(answered), answered_in_time=in_time, abandoned=abandoned,
            callbacks=sum(1 for d in items if d.kind == "callback_requested"),
            service_level=round(in_time / offered, 3) if offered else None,
            asa_s=round(sum(answered) / len(answered), 1) if answered else None,
            abandon_rate=round(abandoned / offered, 3) if offered else None))
    return out


async def decided_since(store: CallStore, since: float) -> list[Decided]:
    """The queued calls decided since `since` (unix seconds), from the call events."""
    marks = ",".join("?" * len(KINDS))
    rows = await store.run(lambda c: [tuple(r) for r in c.execute(
        f"SELECT e.kind, e.at, e.data, c.meta FROM call_events e LEFT JOIN calls c ON c.id = e.call_id "
        f"WHERE e.at >= ? AND e.kind IN ({marks})", (since, *KINDS))])
    out = []
    for kind, at, data, meta in rows:
        facts = json.loads(data or "{}")
        queue = facts.get("queue") or json.loads(meta or "{}").get("queue") or DEFAULT_QUEUE
        out.append(Decided(str(queue), kind, float(facts.get("waited_s") or 0.0), float(at)))
    return out


async def figures(store: CallStore, *, window_s: float, threshold_s: float, queues: Iterable[str],
                  visible: set[str] | None = None, now: float | None = None) -> list[QueueFigures]:
    """`visible`: only these queues (None or "*": all), e.g. a supervisor's."""
    decided = await decided_since(store, (now or time.time()) - window_s)
    rows = summarize(decided, threshold_s, queues)
    if visible is None or "*" in visible:
        return rows
    return [r for r in rows if r.queue in visible]


class FiguresCache:
    """The floor's figures, computed at most once per `max_age_s` for every wallboard (each
    filters to its queues), and at once after `stale()` (a call answered, abandoned...)."""

    def __init__(self, store: CallStore, window_s: float, threshold_s: float,
                 queues: Iterable[str], max_age_s: float = 1.0) -> None:
        self._store = store
        self.window_s = window_s
        self.threshold_s = threshold_s
        self._queues = tuple(queues)
        self._max_age_s = max_age_s
        self._rows: list[QueueFigures] = []
        self._at = float("-inf")
        self._lock = asyncio.Lock()

    def stale(self) -> None:
        self._at = float("-inf")

    async def get(self, visible: set[str] | None = None) -> list[QueueFigures]:
        async with self._lock:
            if time.monotonic() - self._at > self._max_age_s:
                self._rows = await figures(self._store, window_s=self.window_s,
                                           threshold_s=self.threshold_s, queues=self._queues)
                self._at = time.monotonic()
        if visible is None or "*" in visible:
            return list(self._rows)
        return [r for r in self._rows if r.queue in visible]
