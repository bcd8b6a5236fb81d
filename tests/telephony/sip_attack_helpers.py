"""Helpers for the attack tests (issue 15): a caller with its RTP stream, a stranger's socket."""

from __future__ import annotations

import asyncio
import math
import re
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from telephony.sip import SipCall, SipServer
from tests.telephony.sip_helpers import UdpPeer, invite, rms, status_of
from voice.media import g711

TONE = g711.pcm16_to_ulaw(
    struct.pack("<160h", *(int(8000 * math.sin(2 * math.pi * 1000 * i / 8000)) for i in range(160)))
)
SILENCE = b"\xff" * 160


def rtp(seq: int, payload: bytes, ssrc: int = 0x1234, pt: int = 0) -> bytes:
    return struct.pack("!BBHII", 0x80, pt, seq & 0xFFFF, (seq * 160) & 0xFFFFFFFF, ssrc) + payload


def in_dialog(method: str, call_id: str, port: int, to_tag: str, cseq: int, body: bytes = b"",
              host: str = "127.0.0.1") -> bytes:  # fmt: skip
    ctype = "Content-Type: application/sdp\r\n" if body else ""
    return (
        f"{method} sip:hotline@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {host}:{port};"
        f"branch=z9hG4bK{method}{cseq}{call_id}\r\nFrom: <sip:tester@127.0.0.1>;tag=from{call_id}\r\n"
        f"To: <sip:service@127.0.0.1>;tag={to_tag}\r\nCall-ID: {call_id}\r\nCSeq: {cseq} {method}\r\n"
        f"Max-Forwards: 70\r\n{ctype}Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def ok_for(request: bytes) -> bytes:
    """A 200 OK for a request the server sent us (its BYE)."""
    lines = request.split(b"\r\n\r\n")[0].split(b"\r\n")[1:]
    keep = [ln for ln in lines if ln.split(b":")[0].lower() in (b"via", b"from", b"to", b"call-id", b"cseq")]
    return b"SIP/2.0 200 OK\r\n" + b"\r\n".join(keep) + b"\r\nContent-Length: 0\r\n\r\n"


def sdp(host: str, port: int, direction: str = "sendrecv") -> bytes:
    return (
        f"v=0\r\no=t 1 2 IN IP4 {host}\r\ns=-\r\nc=IN IP4 {host}\r\nt=0 0\r\n"
        f"m=audio {port} RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na={direction}\r\n"
    ).encode()


@dataclass
class Heard:
    """What the server's call received: one RMS per 20 ms frame, with the loop time."""

    frames: list[tuple[float, float]] = field(default_factory=list)
    calls: list[SipCall] = field(default_factory=list)

    async def on_call(self, call: SipCall) -> None:
        self.calls.append(call)
        loop = asyncio.get_running_loop()
        async for frame in call:
            self.frames.append((loop.time(), rms(frame)))

    def voiced_since(self, t: float) -> int:
        return sum(1 for at, level in self.frames if at >= t and level > 1000)


@dataclass
class Call:
    call_id: str
    to_tag: str
    rtp_port: int  # the server's RTP port
    ok: bytes


async def place_call(sip: UdpPeer, server_port: int, media: UdpPeer, call_id: str,
                     extra: str = "") -> Call:  # fmt: skip
    sip.send(invite(call_id, sip.port, media.port, extra=extra), server_port)
    ok = await sip.final()
    assert status_of(ok) == 200, ok[:80]
    to_tag = re.search(rb"To: [^\r]*;tag=([\w-]+)", ok).group(1).decode()  # type: ignore[union-attr]
    rtp_port = int(re.search(rb"m=audio (\d+)", ok).group(1))  # type: ignore[union-attr]
    sip.send(in_dialog("ACK", call_id, sip.port, to_tag, 1), server_port)
    return Call(call_id, to_tag, rtp_port, ok)


async def hang_up(sip: UdpPeer, server: SipServer, call: Call, cseq: int = 9) -> None:
    """The caller's BYE, answered 200, and the server left without that call."""
    sip.send(in_dialog("BYE", call.call_id, sip.port, call.to_tag, cseq), server.port)
    assert status_of(await sip.final()) == 200
    for _ in range(50):
        if not any(key[0] == call.call_id for key in server.sessions):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the call outlived its BYE")


async def stream(media: UdpPeer, port: int, seconds: float, first_seq: int = 100,
                 payload: bytes = TONE, ssrc: int = 0x1234) -> int:  # fmt: skip
    """Send 20 ms packets for `seconds`; return the next sequence number."""
    seq = first_seq
    loop = asyncio.get_running_loop()
    start = loop.time()
    for n in range(int(seconds * 50)):
        media.send(rtp(seq, payload, ssrc), port)
        seq += 1
        await asyncio.sleep(max(0.0, start + (n + 1) * 0.02 - loop.time()))
    return seq


@asynccontextmanager
async def peer_at(host: str) -> AsyncIterator[UdpPeer]:
    """A UDP socket on another loopback address (127.0.0.2 is a different host to the server)."""
    loop = asyncio.get_running_loop()
    _, peer = await loop.create_datagram_endpoint(UdpPeer, local_addr=(host, 0))
    try:
        yield peer
    finally:
        peer.close()


def drain(peer: UdpPeer) -> int:
    n = 0
    while not peer.queue.empty():
        peer.queue.get_nowait()
        n += 1
    return n
