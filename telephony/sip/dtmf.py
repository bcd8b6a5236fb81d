"""RFC 4733 telephone-event payloads: decode with de-duplication, encode a digit."""

from __future__ import annotations

import struct
from dataclasses import dataclass

EVENTS = "0123456789*#ABCD"
_PAYLOAD = struct.Struct("!BBH")


@dataclass(frozen=True)
class ToneEvent:
    event: int
    end: bool
    volume: int
    duration: int

    @property
    def digit(self) -> str:
        return EVENTS[self.event] if self.event < len(EVENTS) else "?"


def parse_event(payload: bytes) -> ToneEvent | None:
    if len(payload) < 4:
        return None
    event, flags, duration = _PAYLOAD.unpack_from(payload)
    return ToneEvent(event, bool(flags & 0x80), flags & 0x3F, duration)


def encode_event(event: int, end: bool, duration: int, volume: int = 10) -> bytes:
    return _PAYLOAD.pack(event, (0x80 if end else 0) | (volume & 0x3F), min(duration, 0xFFFF))


class DtmfReceiver:
    """Reports each event once: keyed by RTP timestamp, on its first packet."""

    def __init__(self, remember: int = 32) -> None:
        self._seen: list[int] = []
        self._remember = remember

    def feed(self, timestamp: int, payload: bytes) -> ToneEvent | None:
        event = parse_event(payload)
        if event is None or event.event >= len(EVENTS) or timestamp in self._seen:
            return None
        self._seen.append(timestamp)
        del self._seen[: -self._remember]
        return event


def digit_packets(digit: str, duration_ms: int = 160) -> list[tuple[bytes, bool]]:
    """Payloads (and marker flags) for one digit at 20 ms spacing, end packet sent 3 times."""
    event = EVENTS.index(digit.upper())
    steps = max(1, duration_ms // 20)
    packets = [(encode_event(event, False, 160 * (i + 1)), i == 0) for i in range(steps - 1)]
    final = encode_event(event, True, 160 * steps)
    return packets + [(final, steps == 1)] + [(final, False)] * 2
