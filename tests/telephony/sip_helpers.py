"""Helpers for the SIP tests: a server on a free loopback port, a raw UDP peer, real peers."""

from __future__ import annotations

import asyncio
import shutil
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from telephony.sip import SipCall, SipConfig, SipServer

ROOT = Path(__file__).resolve().parents[2]
TESTDATA = ROOT.parent / "shared" / "testdata"
SIP_DATA = TESTDATA / "sip"
PEERS = TESTDATA / "peers"
_next_rtp = [30000]


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def need(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.skip(f"{binary} is not installed (make system-deps installs it)")
    return path


def config(**overrides: object) -> SipConfig:
    low = _next_rtp[0]
    _next_rtp[0] += 200
    base = SipConfig(bind_host="127.0.0.1", bind_port=0, rtp_port_min=low, rtp_port_max=low + 199)
    return replace(base, **overrides)  # type: ignore[arg-type]


async def echo(call: SipCall) -> None:
    async for frame in call:
        await call.send_audio(frame)


@asynccontextmanager
async def running(
    on_call: Callable[[SipCall], Awaitable[None]] = echo, **overrides: object
) -> AsyncIterator[SipServer]:
    server = SipServer(config(**overrides), on_call)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


class UdpPeer(asyncio.DatagramProtocol):
    """A bare UDP socket for hand-written SIP or RTP."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.queue.put_nowait(data)

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])

    def send(self, data: bytes, port: int) -> None:
        assert self.transport is not None
        self.transport.sendto(data, ("127.0.0.1", port))

    async def recv(self, timeout: float = 5.0) -> bytes:
        return await asyncio.wait_for(self.queue.get(), timeout)

    async def final(self, timeout: float = 5.0) -> bytes:
        """The next non-1xx response."""
        while True:
            data = await self.recv(timeout)
            if not data.startswith(b"SIP/2.0 1"):
                return data

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


@asynccontextmanager
async def udp_peer() -> AsyncIterator[UdpPeer]:
    loop = asyncio.get_running_loop()
    _, peer = await loop.create_datagram_endpoint(UdpPeer, local_addr=("127.0.0.1", 0))
    try:
        yield peer
    finally:
        peer.close()


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def header(response: bytes, name: str) -> str:
    for line in response.split(b"\r\n\r\n")[0].decode().split("\r\n")[1:]:
        hname, _, value = line.partition(":")
        if hname.strip().lower() == name.lower():
            return value.strip()
    return ""


def rms(pcm16: bytes) -> float:
    samples = np.frombuffer(pcm16, dtype="<i2").astype(np.float64)
    return float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0


def invite(call_id: str, port: int, sdp_port: int, codecs: str = "0 101", extra: str = "") -> bytes:
    sdp = (
        "v=0\r\no=t 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        f"m=audio {sdp_port} RTP/AVP {codecs}\r\na=rtpmap:101 telephone-event/8000\r\n"
    ).encode()
    head = (
        f"INVITE sip:service@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{call_id}\r\n"
        f"From: <sip:tester@127.0.0.1>;tag=from{call_id}\r\nTo: <sip:service@127.0.0.1>\r\n"
        f"Call-ID: {call_id}\r\nCSeq: 1 INVITE\r\nContact: <sip:tester@127.0.0.1:{port}>\r\n"
        f"Max-Forwards: 70\r\n{extra}Content-Type: application/sdp\r\nContent-Length: {len(sdp)}\r\n\r\n"
    )
    return head.encode() + sdp


def sipp_scenario(name: str, then: str, *, caller: str = "sipp",
                  media_port: str = "[rtpstream_audio_port]") -> str:
    """A sipp UAC scenario: INVITE with a PCMU offer from `caller`, the answer, the ACK, then
    `then` (the test's own steps, XML), closed."""
    contact = f"sip:{caller}@[local_ip]:[local_port]"
    named = f"sipp <{contact}>" if caller == "sipp" else f"<{contact}>"
    common = f"""Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: {named};tag=[pid]SIPpTag[call_number]
To: [service] <sip:[service]@[remote_ip]:[remote_port]>"""
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="{name}">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
{common}
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: sip:sipp@[local_ip]:[local_port]
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[local_ip_type] [local_ip]
t=0 0
m=audio {media_port} RTP/AVP 0
a=rtpmap:0 PCMU/8000
]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true"/>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
{common}[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: sip:sipp@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0
]]></send>
{then}</scenario>
"""
