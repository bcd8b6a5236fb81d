"""One call's RTP stream: UDP socket, jitter buffer and G.711 decode in, paced sender out."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ipaddress
import logging
import random
from collections.abc import Callable
from typing import cast

from telephony.sip.dtmf import DtmfReceiver, digit_packets
from telephony.sip.jitter import JitterBuffer
from telephony.sip.rtp import RtpPacket, parse_rtp
from telephony.sip.sdp import PCMA, MediaPlan
from voice.media import g711
from voice.media.pacing import NEVER_RESTART, PlayoutClock

FRAME_MS = 20
SAMPLES_PER_FRAME = 160
FRAME_BYTES = SAMPLES_PER_FRAME * 2  # PCM16 at 8 kHz
STALL_S = 0.2
log = logging.getLogger(__name__)


class MediaSession(asyncio.DatagramProtocol):
    def __init__(
        self, call_id: str, plan: MediaPlan, latch: str = "once", signalling_ip: str | None = None
    ) -> None:
        self.call_id = call_id
        self.plan = plan
        self.signalling_ip = signalling_ip  # where the INVITE came from: a NAT's public address
        self.latch = latch  # "once": adopt the first source (NAT), then no other; "strict": SDP only
        self.remote: tuple[str, int] | None = _address(plan)
        self._latched = False  # media comes only from self.remote once set
        self.last_packet_at = asyncio.get_running_loop().time()
        self.transport: asyncio.DatagramTransport | None = None
        self.frames_in: asyncio.Queue[bytes] = asyncio.Queue(maxsize=250)
        self.on_dtmf: Callable[[str, int], None] | None = None
        self._jitter = JitterBuffer()
        self._dtmf_in = DtmfReceiver()
        self._pcm_in = bytearray()
        self._out: collections.deque[bytes | Callable[[], None]] = collections.deque()
        self._out_frames = 0  # audio frames in _out (the rest are marks)
        self._out_partial = b""
        self._dtmf_out: collections.deque[tuple[bytes, bool]] = collections.deque()
        self._dtmf_timestamp = 0
        self._sequence = random.randrange(0x10000)
        self._timestamp = random.randrange(0x100000000)
        self._ssrc = random.randrange(1, 0x100000000)
        self._sender: asyncio.Task[None] | None = None
        self.lateness_s: collections.deque[float] = collections.deque(maxlen=3000)
        self.packets_in = 0
        self.packets_out = 0
        self.packets_refused = 0  # RTP from a source that is not the call's

    def _accepts(self, source: tuple[str, int]) -> bool:
        """Media from the negotiated address, or (latch "once") from the first source at the
        SDP's or the signalling's IP; then from no one else (docs/sip.md, "Media sources")."""
        if self._latched or (self.latch == "strict" and self.remote is not None):
            return source == self.remote
        hosts = {self.plan.remote_host, self.signalling_ip}
        if source != self.remote and source[0] not in hosts:
            return False  # a stranger never takes the media, not even first
        if source != self.remote:
            log.info("call %s: RTP latched to %s:%d (SDP said %s)", self.call_id, *source, self.remote)
        self.remote, self._latched = source, True
        return True

    # -- socket -----------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        packet = parse_rtp(data)
        if packet is None:
            return
        if not self._accepts((addr[0], addr[1])):
            self.packets_refused += 1
            return
        self.packets_in += 1
        self.last_packet_at = asyncio.get_running_loop().time()
        if packet.payload_type == self.plan.payload_type:
            for item in self._jitter.push(packet):
                self._decode(item)
        elif packet.payload_type == self.plan.dtmf_payload_type:
            event = self._dtmf_in.feed(packet.timestamp, packet.payload)
            if event is not None and self.on_dtmf is not None:
                self.on_dtmf(event.digit, event.duration)

    def _decode(self, packet: RtpPacket | None) -> None:
        if packet is None:
            self._pcm_in += bytes(FRAME_BYTES)
        elif self.plan.codec == PCMA:
            self._pcm_in += g711.alaw_to_pcm16(packet.payload)
        else:
            self._pcm_in += g711.ulaw_to_pcm16(packet.payload)
        while len(self._pcm_in) >= FRAME_BYTES:
            frame = bytes(self._pcm_in[:FRAME_BYTES])
            del self._pcm_in[:FRAME_BYTES]
            if self.frames_in.full():
                self.frames_in.get_nowait()  # nobody is listening: keep the newest audio
            self.frames_in.put_nowait(frame)

    # -- sending ----------------------------------------------------------------------------
    def queue_audio(self, pcm16: bytes) -> None:
        data = self._out_partial + pcm16
        whole = len(data) - len(data) % FRAME_BYTES
        self._out.extend(data[i : i + FRAME_BYTES] for i in range(0, whole, FRAME_BYTES))
        self._out_frames += whole // FRAME_BYTES
        self._out_partial = data[whole:]

    def queue_mark(self, reached: Callable[[], None]) -> None:
        """Call `reached()` once everything queued before it has left the queue: sent, or
        dropped by `clear()` (at once when nothing is queued)."""
        self._flush_partial()
        if self._out:
            self._out.append(reached)
        else:
            reached()

    def _flush_partial(self) -> None:
        if self._out_partial:
            self._out.append(self._out_partial.ljust(FRAME_BYTES, b"\0"))
            self._out_frames += 1
            self._out_partial = b""

    def clear(self) -> None:
        marks = [item for item in self._out if not isinstance(item, bytes)]
        self._out.clear()
        self._out_frames = 0
        self._out_partial = b""
        for mark in marks:
            mark()

    @property
    def queued_ms(self) -> int:
        return self._out_frames * FRAME_MS

    def queue_digit(self, digit: str, duration_ms: int = 160) -> None:
        self._dtmf_out.extend(digit_packets(digit, duration_ms))

    def start_sending(self) -> None:
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._send_loop())

    async def _send_loop(self) -> None:
        """A packet every 20 ms for the call's life (silence when nothing is queued)."""
        loop = asyncio.get_running_loop()
        clock = PlayoutClock(restart_after_s=NEVER_RESTART)
        while True:
            delay = clock.due(loop.time()) - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            skipped = clock.skip_late(loop.time(), STALL_S)  # a stall: stay on the clock
            self._timestamp += skipped * SAMPLES_PER_FRAME
            self.lateness_s.append(loop.time() - clock.next_due)
            self._send_frame()
            clock.sent()

    def _send_frame(self) -> None:
        if self._dtmf_out:
            if not self._dtmf_timestamp:
                self._dtmf_timestamp = self._timestamp
            payload, marker = self._dtmf_out.popleft()
            self._emit(self.plan.dtmf_payload_type or 101, payload, marker, self._dtmf_timestamp)
            if not self._dtmf_out:
                self._dtmf_timestamp = 0
        else:
            if not self._out:
                self._flush_partial()
            pcm = self._next_audio()
            encode = g711.pcm16_to_alaw if self.plan.codec == PCMA else g711.pcm16_to_ulaw
            self._emit(self.plan.payload_type, encode(pcm), self.packets_out == 0, self._timestamp)
        self._timestamp += SAMPLES_PER_FRAME

    def _next_audio(self) -> bytes:
        """The next queued frame (silence when none), calling the marks before it."""
        while self._out:
            item = self._out.popleft()
            if isinstance(item, bytes):
                self._out_frames -= 1
                self._call_marks()  # marks right behind the last frame: reached as it goes
                return item
            item()
        return bytes(FRAME_BYTES)

    def _call_marks(self) -> None:
        while self._out and not isinstance(self._out[0], bytes):
            mark = self._out.popleft()
            assert callable(mark)
            mark()

    def _emit(self, payload_type: int, payload: bytes, marker: bool, timestamp: int) -> None:
        if (
            self.transport is None
            or self.remote is None
            or self.plan.direction not in ("sendrecv", "sendonly")
        ):
            return
        packet = RtpPacket(payload_type, self._sequence, timestamp, self._ssrc, payload, marker)
        self._sequence = (self._sequence + 1) & 0xFFFF
        self.transport.sendto(packet.to_bytes(), self.remote)
        self.packets_out += 1

    def update(self, plan: MediaPlan) -> None:
        """A re-INVITE changed the stream (hold, unhold, new address)."""
        if (plan.remote_host, plan.remote_port) != (self.plan.remote_host, self.plan.remote_port):
            self.remote = _address(plan)  # the dialog (checked in server.py) moved the media:
            self._latched = False  # latch once more, to the new address or its first source
        self.plan = plan

    async def close(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender
            self._sender = None
        if self.transport is not None:
            self.transport.close()
            self.transport = None
        log.debug(
            "media closed call_id=%s in=%d out=%d", self.call_id, self.packets_in, self.packets_out
        )


def _address(plan: MediaPlan) -> tuple[str, int] | None:
    try:
        ipaddress.ip_address(plan.remote_host)
    except ValueError:
        return None  # a host name: wait to latch onto the first packet instead
    return (plan.remote_host, plan.remote_port)
