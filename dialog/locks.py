"""One turn at a time per call: a lock per call id, the least recently used forgotten."""

from __future__ import annotations

import asyncio
from collections import OrderedDict

MAX_TRACKED_CALLS = 10_000


class CallLocks:
    def __init__(self, max_calls: int = MAX_TRACKED_CALLS) -> None:
        self._max = max_calls
        self._locks: OrderedDict[str, asyncio.Lock] = OrderedDict()

    def __call__(self, call_id: str) -> asyncio.Lock:
        """The call's lock (a barge-in turn waits for the one in flight)."""
        lock = self._locks.pop(call_id, None) or asyncio.Lock()
        self._locks[call_id] = lock
        while len(self._locks) > self._max:
            self._locks.popitem(last=False)
        return lock
