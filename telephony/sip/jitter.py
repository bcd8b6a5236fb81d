"""A small reorder buffer for RTP: in-order release, duplicates and late packets dropped."""

from __future__ import annotations

from telephony.sip.rtp import RtpPacket


def _newer(a: int, b: int) -> int:
    """Signed distance from sequence b to sequence a, modulo 2**16."""
    return ((a - b + 0x8000) & 0xFFFF) - 0x8000


class JitterBuffer:
    """Holds up to ``depth`` packets waiting for a missing one, then gives up on the gap.

    ``push`` returns the packets now releasable, in order; a lost packet is reported as
    ``None`` so the caller can conceal it (one 20 ms frame of silence).
    """

    def __init__(self, depth: int = 3, max_gap: int = 50) -> None:
        self.depth = depth
        self.max_gap = max_gap
        self._next: int | None = None
        self._held: dict[int, RtpPacket] = {}
        self.duplicates = 0
        self.late = 0
        self.lost = 0

    def push(self, packet: RtpPacket) -> list[RtpPacket | None]:
        seq = packet.sequence
        if self._next is None:
            self._next = seq
        distance = _newer(seq, self._next)
        if distance < 0:
            self.late += 1
            return []
        if seq in self._held:
            self.duplicates += 1
            return []
        if distance > self.max_gap:  # the stream restarted: resynchronise
            self._held.clear()
            self._next = seq
        self._held[seq] = packet
        return self._release()

    def _release(self) -> list[RtpPacket | None]:
        out: list[RtpPacket | None] = []
        assert self._next is not None
        while self._held:
            packet = self._held.pop(self._next, None)
            if packet is None:
                if len(self._held) < self.depth:
                    break
                self.lost += 1
                out.append(None)
            else:
                out.append(packet)
            self._next = (self._next + 1) & 0xFFFF
        return out
