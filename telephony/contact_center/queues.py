"""Call queues: escalated calls wait here until a human agent claims one.

`CallQueues` is the interface (async, so a Redis-backed version can replace the
in-process one when several nodes share queues); `MemoryQueues` is the
single-node default: FIFO per queue, a claim is atomic (two agents clicking the
same call: one wins, the other gets None).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class QueueEntry:
    call_id: str
    queue: str
    package: dict[str, Any]
    enqueued_at: float = field(default_factory=time.time)

    def wait_s(self, now: float | None = None) -> float:
        return max(0.0, (now or time.time()) - self.enqueued_at)

    def as_dict(self) -> dict[str, Any]:
        return {"call_id": self.call_id, "queue": self.queue, "enqueued_at": self.enqueued_at,
                "wait_s": round(self.wait_s(), 1), "package": self.package}


@dataclass(frozen=True)
class QueueStats:
    queue: str
    waiting: int
    longest_wait_s: float


class CallQueues(Protocol):
    async def enqueue(self, entry: QueueEntry) -> int: ...  # returns the position (1 = next)

    async def claim(self, call_id: str) -> QueueEntry | None: ...

    async def remove(self, call_id: str) -> QueueEntry | None: ...

    async def waiting(self, queues: set[str] | None = None) -> list[QueueEntry]: ...

    async def stats(self, queues: set[str] | None = None) -> list[QueueStats]: ...


class MemoryQueues:
    """In-process queues. Methods never await, so each is atomic on the event loop."""

    def __init__(self, known: list[str] | None = None) -> None:
        self._queues: dict[str, list[QueueEntry]] = {q: [] for q in known or ()}

    async def enqueue(self, entry: QueueEntry) -> int:
        await self.remove(entry.call_id)
        line = self._queues.setdefault(entry.queue, [])
        line.append(entry)
        return len(line)

    async def claim(self, call_id: str) -> QueueEntry | None:
        return await self.remove(call_id)

    async def remove(self, call_id: str) -> QueueEntry | None:
        for line in self._queues.values():
            for i, entry in enumerate(line):
                if entry.call_id == call_id:
                    return line.pop(i)
        return None

    async def waiting(self, queues: set[str] | None = None) -> list[QueueEntry]:
        entries = [e for name, line in self._queues.items() if _wanted(name, queues) for e in line]
        return sorted(entries, key=lambda e: e.enqueued_at)

    async def stats(self, queues: set[str] | None = None) -> list[QueueStats]:
        now = time.time()
        return [QueueStats(name, len(line), round(max((e.wait_s(now) for e in line), default=0.0), 1))
                for name, line in sorted(self._queues.items()) if _wanted(name, queues)]


def _wanted(name: str, queues: set[str] | None) -> bool:
    return queues is None or "*" in queues or name in queues
