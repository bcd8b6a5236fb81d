"""Per-source limits in front of the SIP stack (issue 15, docs/sip.md "Floods and slots").

- ``admit_invite``: a token bucket of new INVITEs per source IP, like Kamailio's pike module;
  a source over it is dropped unanswered before it gets a slot (and a reply to reflect).
- ``may_send``: an anti-amplification budget (QUIC, RFC 9000 8.1): until a source proves it
  receives our replies (an ACK or an in-dialog request, which need our To tag), we send it at
  most three times the bytes it sent us, plus a small allowance, retransmissions included.
- ``auth_blocked`` / ``auth_failed``: wrong credentials per source lock it out for a while,
  doubling on each lockout (capped), so a password cannot be guessed at line rate.

Every table is bounded: at most ``MAX_SOURCES`` entries, the oldest dropped first.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

MAX_SOURCES = 10_000
AMPLIFICATION = 3
ALLOWANCE_BYTES = 2048
MAX_LOCKOUT_S = 3600.0


@dataclass
class _Source:
    tokens: float
    at: float
    received: int = 0
    sent: int = 0
    verified: bool = False
    failures: int = 0
    lockouts: int = 0
    blocked_until: float = 0.0


class SourceGuard:
    def __init__(self, rate: float, burst: int, auth_failures: int, lockout_s: float) -> None:
        self.rate = rate
        self.burst = burst
        self.auth_failures = auth_failures
        self.lockout_s = lockout_s
        self._sources: OrderedDict[str, _Source] = OrderedDict()
        self.dropped_invites = 0
        self.withheld_bytes = 0

    def _get(self, ip: str, now: float) -> _Source:
        source = self._sources.get(ip)
        if source is None:
            source = self._sources[ip] = _Source(float(self.burst), now)
            if len(self._sources) > MAX_SOURCES:
                self._sources.popitem(last=False)
        else:
            self._sources.move_to_end(ip)
        return source

    def admit_invite(self, ip: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        source = self._get(ip, now)
        source.tokens = min(float(self.burst), source.tokens + (now - source.at) * self.rate)
        source.at = now
        if source.tokens < 1.0:
            self.dropped_invites += 1
            return False
        source.tokens -= 1.0
        return True

    def received(self, ip: str, size: int) -> None:
        self._get(ip, time.monotonic()).received += size

    def verified(self, ip: str) -> None:
        self._get(ip, time.monotonic()).verified = True

    def may_send(self, ip: str, size: int) -> bool:
        source = self._get(ip, time.monotonic())
        if source.verified or source.sent + size <= AMPLIFICATION * source.received + ALLOWANCE_BYTES:
            source.sent += size
            return True
        self.withheld_bytes += size
        return False

    def auth_blocked(self, ip: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        return self._get(ip, now).blocked_until > now

    def auth_failed(self, ip: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        source = self._get(ip, now)
        source.failures += 1
        if source.failures >= self.auth_failures:
            source.failures = 0
            source.blocked_until = now + min(self.lockout_s * 2**source.lockouts, MAX_LOCKOUT_S)
            source.lockouts += 1

    def auth_succeeded(self, ip: str) -> None:
        source = self._get(ip, time.monotonic())
        source.failures = source.lockouts = 0
