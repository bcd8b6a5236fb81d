"""Digest auth, allow-list, call cap, CANCEL, RFC 4733 DTMF in, BYE, with a raw UDP peer."""

from __future__ import annotations

import asyncio
import hashlib
import re

from telephony.sip import SipCall  # noqa: E402
from tests.telephony.sip_helpers import header, invite, running, status_of, udp_peer  # noqa: E402


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _in_dialog(method: str, call_id: str, port: int, to_tag: str, cseq: int) -> bytes:
    return (
        f"{method} sip:hotline@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{port};"
        f"branch=z9hG4bK{method}{cseq}{call_id}\r\nFrom: <sip:tester@127.0.0.1>;tag=from{call_id}\r\n"
        f"To: <sip:service@127.0.0.1>;tag={to_tag}\r\nCall-ID: {call_id}\r\nCSeq: {cseq} {method}\r\n"
        f"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    ).encode()


async def test_digest_auth_challenges_then_admits_the_right_password() -> None:
    async with running(auth_users={"alice": "s3cret"}) as server, udp_peer() as peer:
        peer.send(invite("auth1", peer.port, 40000), server.port)
        challenge = await peer.final()
        assert status_of(challenge) == 401
        params = dict(re.findall(r'(\w+)="([^"]*)"', header(challenge, "WWW-Authenticate")))
        uri = "sip:service@127.0.0.1"

        def credentials(password: str, cnonce: str) -> str:
            ha1 = _md5(f"alice:{params['realm']}:{password}")
            resp = _md5(f"{ha1}:{params['nonce']}:00000001:{cnonce}:auth:{_md5(f'INVITE:{uri}')}")
            return (
                f'Authorization: Digest username="alice", realm="{params["realm"]}", '
                f'nonce="{params["nonce"]}", uri="{uri}", response="{resp}", qop=auth, '
                f'nc=00000001, cnonce="{cnonce}", algorithm=MD5\r\n'
            )

        peer.send(invite("auth2", peer.port, 40000, extra=credentials("wrong", "c1")), server.port)
        assert status_of(await peer.final()) == 401
        peer.send(invite("auth3", peer.port, 40000, extra=credentials("s3cret", "c2")), server.port)
        assert status_of(await peer.final()) == 200


async def test_allow_list_refuses_other_sources_with_403() -> None:
    async with running(allow_from=("10.0.0.0/8",)) as server, udp_peer() as peer:
        peer.send(invite("deny1", peer.port, 40000), server.port)
        assert status_of(await peer.final()) == 403
    async with running(allow_from=("127.0.0.0/8",)) as server, udp_peer() as peer:
        peer.send(invite("allow1", peer.port, 40000), server.port)
        assert status_of(await peer.final()) == 200


async def test_call_cap_answers_503_beyond_it() -> None:
    async with running(max_calls=1) as server, udp_peer() as peer:
        peer.send(invite("cap1", peer.port, 40000), server.port)
        assert status_of(await peer.final()) == 200
        peer.send(invite("cap2", peer.port, 40002), server.port)
        refused = await peer.final()
        assert status_of(refused) == 503 and header(refused, "Retry-After")


async def test_cancel_before_answer_gets_487() -> None:
    async with running(answer_delay_s=2.0) as server, udp_peer() as peer:
        offer = invite("cancel1", peer.port, 40000)
        peer.send(offer, server.port)
        assert status_of(await peer.recv()) == 100
        assert status_of(await peer.recv()) == 180
        cancel = offer.split(b"\r\n\r\n")[0].replace(b"INVITE sip:", b"CANCEL sip:", 1)
        cancel = cancel.replace(b"CSeq: 1 INVITE", b"CSeq: 1 CANCEL").split(b"Content-Type")[0]
        peer.send(cancel + b"Content-Length: 0\r\n\r\n", server.port)
        answers = sorted([status_of(await peer.recv()), status_of(await peer.recv())])
        assert answers == [200, 487]
        await asyncio.sleep(0)
        assert server.active_calls == 0 and not server.rtp_ports_in_use


async def test_rfc4733_dtmf_in_reaches_the_call_once_and_bye_ends_it() -> None:
    digits: list[str] = []
    lateness: list[float] = []
    got_digit = asyncio.Event()

    async def on_call(call: SipCall) -> None:
        async for event in call.dtmf():
            digits.append(event.digit)
            got_digit.set()
        lateness.extend(call.send_lateness_ms())

    async with running(on_call) as server, udp_peer() as peer, udp_peer() as rtp:
        peer.send(invite("dtmf1", peer.port, rtp.port), server.port)
        ok = await peer.final()
        assert status_of(ok) == 200
        to_tag = re.search(rb"To: [^\r]*;tag=([\w-]+)", ok).group(1).decode()  # type: ignore[union-attr]
        rtp_port = int(re.search(rb"m=audio (\d+)", ok).group(1))  # type: ignore[union-attr]
        peer.send(_in_dialog("ACK", "dtmf1", peer.port, to_tag, 1), server.port)
        await rtp.recv()  # the server's paced stream has started
        for i, (flags, duration) in enumerate([(0x0A, 160), (0x0A, 320), (0x8A, 480), (0x8A, 480), (0x8A, 480)]):
            head = bytes([0x80, 0xE5 if i == 0 else 0x65]) + (100 + i).to_bytes(2, "big")
            payload = bytes([7, flags]) + duration.to_bytes(2, "big")
            rtp.send(head + (8000).to_bytes(4, "big") + (1234).to_bytes(4, "big") + payload, rtp_port)
        await asyncio.wait_for(got_digit.wait(), 5)
        await asyncio.sleep(1.0)  # one second of paced audio to measure
        peer.send(_in_dialog("BYE", "dtmf1", peer.port, to_tag, 2), server.port)
        assert status_of(await peer.final()) == 200
        for _ in range(50):
            if server.active_calls == 0:
                break
            await asyncio.sleep(0.05)
        assert server.active_calls == 0 and not server.rtp_ports_in_use
    assert digits == ["7"]
    lateness.sort()
    print(f"RTP send lateness over {len(lateness)} packets: p50 {lateness[len(lateness) // 2]:.2f} ms, "
          f"p99 {lateness[int(len(lateness) * 0.99)]:.2f} ms, max {lateness[-1]:.2f} ms")  # fmt: skip
