"""Login rate limiting: failures per user name and per client address in a sliding window.

In memory and per process (a cluster would move it to Redis with the same interface).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_ADDRESS = 20
WINDOW_SECS = 300.0
MAX_KEYS = 10_000  # bound memory under a spray of names


class LoginLimiter:
    def __init__(self, *, per_name: int = MAX_FAILURES_PER_NAME,
                 per_address: int = MAX_FAILURES_PER_ADDRESS, window_secs: float = WINDOW_SECS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._limits = {"name": per_name, "addr": per_address}
        self._window = window_secs
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def _keys(self, name: str, address: str) -> list[tuple[str, str]]:
        return [("name", name.lower()), ("addr", address)]

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self._window:
            times.popleft()
        return times

    def retry_after(self, name: str, address: str) -> float:
        """Seconds to wait before another try is allowed; 0 when allowed now."""
        now = self._clock()
        wait = 0.0
        for key in self._keys(name, address):
            times = self._recent(key, now)
            if len(times) >= self._limits[key[0]]:
                wait = max(wait, times[0] + self._window - now)
        return wait

    def failed(self, name: str, address: str) -> None:
        now = self._clock()
        if len(self._failures) >= MAX_KEYS:
            self._failures = {k: v for k, v in self._failures.items() if self._recent(k, now)}
        for key in self._keys(name, address):
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, name: str) -> None:
        self._failures.pop(("name", name.lower()), None)
