"""Issue 15, findings 5, 7 and 8: floods, zombies' slots, digest replay and guessing, bad UTF-8."""

from __future__ import annotations

import asyncio
import hashlib
import re

from tests.telephony.sip_attack_helpers import drain, hang_up, peer_at, place_call
from tests.telephony.sip_helpers import UdpPeer, header, invite, running, status_of, udp_peer

URI = "sip:service@127.0.0.1"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _received_bytes(peer: UdpPeer) -> int:
    total = 0
    while not peer.queue.empty():
        total += len(peer.queue.get_nowait())
    return total


async def test_an_invite_flood_leaves_a_slot_and_reflects_little() -> None:
    """Finding 5: 50 unacknowledged INVITEs in 1 s took every slot (503 for ~40 s) and their
    retransmitted answers reflected ~6x the bytes sent."""
    async with running() as server, peer_at("127.0.0.2") as flood, udp_peer() as sip, \
            udp_peer() as media:  # fmt: skip
        sent = 0
        for n in range(50):
            data = invite(f"flood{n}", flood.port, 40000 + 2 * n)
            flood.send(data, server.port)
            sent += len(data)
            await asyncio.sleep(0.02)
        call = await place_call(sip, server.port, media, "legit1")  # answered at once: 200
        await asyncio.sleep(2.0)  # the flood's 2xx retransmissions
        reflected = _received_bytes(flood)
        print(f"\nflood: {sent} bytes sent, {reflected} reflected ({reflected / sent:.1f}x), "
              f"{server.guard.dropped_invites} INVITEs dropped")  # fmt: skip
        assert reflected <= 3 * sent + 2048
        await hang_up(sip, server, call)


async def test_unacknowledged_calls_give_their_slots_back_quickly() -> None:
    """Finding 5: slots taken by INVITEs from ten sources (under each one's rate) that never
    ACK are free again after ack_timeout_s, not after ~40 s."""
    async with running(t1_s=0.02, max_calls=20, ack_timeout_s=1.0) as server, udp_peer() as sip, \
            udp_peer() as media:  # fmt: skip
        for host in range(2, 12):
            async with peer_at(f"127.0.0.{host}") as flood:
                for n in range(2):
                    flood.send(invite(f"slot{host}x{n}", flood.port, 40000 + n), server.port)
                await asyncio.sleep(0.05)
        sip.send(invite("legit2", sip.port, media.port), server.port)
        assert status_of(await sip.final()) == 503  # every slot is taken...
        await asyncio.sleep(1.5)
        drain(sip)  # the 503's retransmissions (never ACKed here)
        call = await place_call(sip, server.port, media, "legit3")  # ...but not for long
        await hang_up(sip, server, call)


async def _challenge(sip: UdpPeer, server_port: int, call_id: str) -> dict[str, str]:
    sip.send(invite(call_id, sip.port, 40000), server_port)
    challenge = await sip.final()
    assert status_of(challenge) == 401
    return dict(re.findall(r'(\w+)="([^"]*)"', header(challenge, "WWW-Authenticate")))


def _credentials(params: dict[str, str], password: str, nc: int = 1, uri: str = URI) -> str:
    ha1 = _md5(f"alice:{params['realm']}:{password}")
    count = f"{nc:08x}"
    resp = _md5(f"{ha1}:{params['nonce']}:{count}:c{nc}:auth:{_md5(f'INVITE:{uri}')}")
    return (f'Authorization: Digest username="alice", realm="{params["realm"]}", nonce="'
            f'{params["nonce"]}", uri="{uri}", response="{resp}", qop=auth, nc={count}, '
            f'cnonce="c{nc}", algorithm=MD5\r\n')  # fmt: skip


async def test_a_captured_authorization_is_not_accepted_again_nor_for_another_uri() -> None:
    """Finding 7: one captured Authorization header opened new calls until the nonce expired,
    and the digest uri was not compared with the Request-URI."""
    async with running(auth_users={"alice": "s3cret"}) as server, udp_peer() as sip, \
            udp_peer() as media:  # fmt: skip
        params = await _challenge(sip, server.port, "dig0")
        captured = _credentials(params, "s3cret")
        call = await place_call(sip, server.port, media, "dig1", extra=captured)
        await hang_up(sip, server, call)
        replay = invite("dig2", sip.port, media.port, extra=captured).replace(b"tester@", b"other@")
        sip.send(replay, server.port)
        assert status_of(await sip.final()) == 401  # the same nonce-count again: a replay
        elsewhere = _credentials(params, "s3cret", nc=2, uri="sip:other@127.0.0.1")
        sip.send(invite("dig3", sip.port, media.port, extra=elsewhere), server.port)
        assert status_of(await sip.final()) == 401  # computed for another Request-URI
        call = await place_call(sip, server.port, media, "dig4", extra=_credentials(params, "s3cret", 3))
        await hang_up(sip, server, call)  # a counted reuse of the nonce is fine


async def test_password_guessing_is_throttled_per_source() -> None:
    """Finding 7: 300 wrong passwords in 5 s all got 401s. Now the source is locked out (403)
    after five, while another source still logs in."""
    async with running(auth_users={"alice": "s3cret"}) as server, peer_at("127.0.0.2") as guesser, \
            udp_peer() as sip, udp_peer() as media:  # fmt: skip
        params = await _challenge(guesser, server.port, "guess0")
        statuses = []
        for n in range(8):
            guesser.send(invite(f"guess{n + 1}", guesser.port, 40000,
                                extra=_credentials(params, f"wrong{n}", n + 1)), server.port)  # fmt: skip
            statuses.append(status_of(await guesser.final()))
        assert statuses == [401] * 5 + [403] * 3
        guesser.send(invite("guess9", guesser.port, 40000, extra=_credentials(params, "s3cret", 9)),
                     server.port)  # fmt: skip
        assert status_of(await guesser.final()) == 403  # locked out, even with the password
        fresh = await _challenge(sip, server.port, "ok0")
        call = await place_call(sip, server.port, media, "ok1", extra=_credentials(fresh, "s3cret"))
        await hang_up(sip, server, call)


async def test_invalid_utf8_in_a_header_gets_400() -> None:
    """Finding 8: invalid UTF-8 in a header was dropped silently instead of the documented 400."""
    async with running() as server, udp_peer() as sip:
        bad = invite("utf1", sip.port, 40000).replace(b"From: <sip:", b'From: "\xff\xfe\xc3" <sip:')
        sip.send(bad, server.port)
        answer = await sip.final(timeout=2.0)
        assert status_of(answer) == 400 and b"Call-ID: utf1" in answer
        assert drain(sip) == 0 and server.active_calls == 0

