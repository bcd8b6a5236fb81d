"""A small reorder buffer for RTP with RFC 3550 A.1 source validation.

In-order release, duplicates and late packets dropped. A packet that jumps far from the
stream (more than ``max_gap`` ahead or ``max_misorder`` behind) or carries another SSRC is
not obeyed on its own: the buffer resynchronises only when the very next packet continues
the jump (``bad_seq``, RFC 3550 A.1), so one spoofed or stray packet costs nothing.
"""

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

    def __init__(self, depth: int = 3, max_gap: int = 50, max_misorder: int = 100) -> None:
        self.depth = depth
        self.max_gap = max_gap
        self.max_misorder = max_misorder
        self._next: int | None = None
        self._ssrc: int | None = None
        self._held: dict[int, RtpPacket] = {}
        self._bad: tuple[int, int] | None = None  # (ssrc, sequence) that would confirm a jump
        self.duplicates = 0
        self.late = 0
        self.lost = 0
        self.rejected = 0  # far jumps and strange SSRCs not (yet) confirmed

    def push(self, packet: RtpPacket) -> list[RtpPacket | None]:
        seq = packet.sequence
        if self._next is None:
            self._next, self._ssrc = seq, packet.ssrc
        distance = _newer(seq, self._next)
        far = packet.ssrc != self._ssrc or distance > self.max_gap or distance < -self.max_misorder
        if far:
            if self._bad != (packet.ssrc, seq):
                self._bad = (packet.ssrc, (seq + 1) & 0xFFFF)  # wait for the next one
                self.rejected += 1
                return []
            self._held.clear()  # two in a row: the stream really restarted
            self._next, self._ssrc = seq, packet.ssrc
            distance = 0
        self._bad = None
        if distance < 0:
            self.late += 1
            return []
        if seq in self._held:
            self.duplicates += 1
            return []
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
