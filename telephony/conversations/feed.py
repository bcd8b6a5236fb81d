"""A small in-process pub/sub: every subscriber gets its own bounded queue of messages.

The publisher never waits: a subscriber that falls `size` messages behind loses what it
had queued and gets one `{"type": "resync"}` instead, so a view kept up to date by
patches knows it must fetch a fresh snapshot rather than silently drift. Messages are
JSON-ready dicts with a "type"; they are shared between subscribers, never mutate one.

One process, one feed: when several nodes share the floor, a Redis (or PostgreSQL
LISTEN/NOTIFY) feed with the same three methods replaces it (docs/architecture.md).
"""

from __future__ import annotations

import asyncio
from typing import Any

Message = dict[str, Any]
RESYNC: Message = {"type": "resync"}
DEFAULT_SIZE = 256


class Feed:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._size = size
        self._queues: set[asyncio.Queue[Message]] = set()
        self.resyncs = 0  # how often a subscriber fell behind (for tests and logs)

    def subscribe(self) -> asyncio.Queue[Message]:
        queue: asyncio.Queue[Message] = asyncio.Queue(self._size)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Message]) -> None:
        self._queues.discard(queue)

    def publish(self, message: Message) -> None:
        for queue in list(self._queues):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(RESYNC)
                self.resyncs += 1

    def __len__(self) -> int:
        return len(self._queues)
