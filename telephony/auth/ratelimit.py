"""Login throttling that an attacker cannot turn against somebody else.

Failures count per (user name, client address) pair: after `FREE_FAILURES` wrong passwords
the next try from that address for that name must wait, 1 s then doubling per failure up to
`MAX_DELAY_S` (exponential delay, no hard lockout and no CAPTCHA). Wrong passwords typed
elsewhere never slow down the real user at their own address.

A spray over many names from one address is slowed by a per-address count with the same
delay after `FREE_ADDRESS_FAILURES`, except for a name that has signed in from that address
before (a known pair): so a neighbour behind the same NAT cannot lock a colleague out.

Names are compared as `normal_name` gives them ("Agent", " agent " and "agent" are one).
The client address is the peer's, or the one a configured proxy reports ([server]
trusted_proxies, telephony/server/serve.py): a forged X-Forwarded-For is not believed.
In memory and per process; failures older than `WINDOW_S` are forgotten.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

FREE_FAILURES = 5
FREE_ADDRESS_FAILURES = 50
MAX_DELAY_S = 900.0
WINDOW_S = 3600.0
MAX_KEYS = 10_000  # bound memory under a spray of names


def normal_name(name: str) -> str:
    """The one form of a user name for comparing: trimmed, case-folded."""
    return name.strip().casefold()


class LoginLimiter:
    def __init__(self, *, free_failures: int = FREE_FAILURES,
                 free_address_failures: int = FREE_ADDRESS_FAILURES,
                 max_delay_s: float = MAX_DELAY_S, window_s: float = WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._free = {"pair": free_failures, "addr": free_address_failures}
        self._max_delay_s = max_delay_s
        self._window_s = window_s
        self._clock = clock
        self._failures: dict[tuple[str, ...], deque[float]] = {}
        self._known: dict[tuple[str, str], float] = {}  # (name, address) -> last sign-in

    def _keys(self, name: str, address: str) -> list[tuple[str, ...]]:
        pair = (normal_name(name), address)
        keys: list[tuple[str, ...]] = [("pair", *pair)]
        if pair not in self._known:
            keys.append(("addr", address))
        return keys

    def _recent(self, key: tuple[str, ...], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self._window_s:
            times.popleft()
        return times

    def retry_after(self, name: str, address: str) -> float:
        """Seconds to wait before another try is allowed; 0 when allowed now."""
        now = self._clock()
        wait = 0.0
        for key in self._keys(name, address):
            times = self._recent(key, now)
            over = len(times) - self._free[key[0]]
            if over >= 0:
                delay = min(2.0 ** over, self._max_delay_s)
                wait = max(wait, times[-1] + delay - now)
        return wait

    def failed(self, name: str, address: str) -> None:
        now = self._clock()
        if len(self._failures) >= MAX_KEYS:
            self._failures = {k: v for k, v in self._failures.items() if self._recent(k, now)}
        for key in self._keys(name, address):
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, name: str, address: str) -> None:
        pair = (normal_name(name), address)
        self._failures.pop(("pair", *pair), None)
        if len(self._known) >= MAX_KEYS:
            self._known.pop(min(self._known, key=self._known.__getitem__))
        self._known[pair] = self._clock()
