"""Issue 15, findings 2, 3 and 5 (media side): RTP attacks on a live call over loopback."""

from __future__ import annotations

import asyncio

import pytest

from tests.telephony.sip_attack_helpers import (
    SILENCE,
    TONE,
    Heard,
    drain,
    hang_up,
    ok_for,
    peer_at,
    place_call,
    rtp,
    stream,
)
from tests.telephony.sip_helpers import running, udp_peer


@pytest.mark.parametrize("ssrc", [0x1234, 0xBAD])
async def test_one_spoofed_far_ahead_packet_does_not_mute_the_caller(ssrc: int) -> None:
    """Finding 2: a single packet 1,500 sequence numbers ahead (the caller's own address,
    so only sequence validation can tell) used to silence the caller for 30 s."""
    heard = Heard()
    async with running(heard.on_call) as server, udp_peer() as sip, udp_peer() as media:
        call = await place_call(sip, server.port, media, "mute1")
        seq = await stream(media, call.rtp_port, 0.5)
        media.send(rtp(seq + 1500, SILENCE, ssrc), call.rtp_port)
        loop = asyncio.get_running_loop()
        after = loop.time() + 0.1
        await stream(media, call.rtp_port, 1.0, first_seq=seq)
        await asyncio.sleep(0.1)
        assert heard.voiced_since(after) >= 35, heard.frames[-60:]
        await hang_up(sip, server, call)


@pytest.mark.parametrize("host", ["127.0.0.2", "127.0.0.1"])
async def test_rtp_from_a_stranger_neither_speaks_nor_takes_the_agents_audio(host: str) -> None:
    """Finding 3: another source's RTP was transcribed as the caller's and got the agent's
    audio (flip-flopping while both sent). Now the call keeps its first source."""
    heard = Heard()
    async with (
        running(heard.on_call) as server, udp_peer() as sip, udp_peer() as media,
        peer_at(host) as stranger,
    ):  # fmt: skip
        call = await place_call(sip, server.port, media, "hijack1")
        seq = await stream(media, call.rtp_port, 0.3, payload=SILENCE)
        start = asyncio.get_running_loop().time()
        drain(media)
        await asyncio.gather(
            stream(media, call.rtp_port, 1.0, first_seq=seq, payload=SILENCE),
            stream(stranger, call.rtp_port, 1.0, first_seq=5000, payload=TONE, ssrc=0xBAD),
        )
        await asyncio.sleep(0.1)
        assert heard.voiced_since(start) == 0  # the stranger's tone never reached the call
        assert drain(stranger) == 0  # no agent audio to the stranger
        assert drain(media) >= 40  # the caller kept it all
        assert server.sessions and next(iter(server.sessions.values())).media.packets_refused >= 45
        await hang_up(sip, server, call)


async def test_strict_latch_accepts_only_the_sdp_address() -> None:
    heard = Heard()
    async with (
        running(heard.on_call, rtp_latch="strict") as server, udp_peer() as sip,
        udp_peer() as media, udp_peer() as other,
    ):  # fmt: skip
        call = await place_call(sip, server.port, media, "strict1")
        start = asyncio.get_running_loop().time()
        await stream(other, call.rtp_port, 0.4)  # same host, not the SDP port: refused
        assert heard.voiced_since(start) == 0 and drain(other) == 0
        await stream(media, call.rtp_port, 0.4)
        await asyncio.sleep(0.1)
        assert heard.voiced_since(start) >= 10
        await hang_up(sip, server, call)


async def test_a_call_without_rtp_ends_with_a_reason() -> None:
    """Finding 5: an ACKed call that sends no RTP and no BYE stayed up for ever."""
    heard = Heard()
    async with running(heard.on_call, rtp_timeout_s=1.0) as server, udp_peer() as sip, udp_peer() as media:
        call = await place_call(sip, server.port, media, "zombie1")
        await stream(media, call.rtp_port, 0.3)
        bye = await sip.recv(timeout=3.0)
        assert bye.startswith(b"BYE "), bye[:60]
        sip.send(ok_for(bye), server.port)
        for _ in range(40):
            if server.active_calls == 0:
                break
            await asyncio.sleep(0.1)
        assert server.active_calls == 0
        assert heard.calls[0].end_reason == "rtp-timeout"


def test_the_hardening_keys_map_from_config_toml() -> None:
    from telephony.core.config import ConfigError, load_config
    from telephony.sip.config import from_section

    sip = from_section(load_config(None, env={"HOTLINE_SIP_RTP_LATCH": "strict",
                                              "HOTLINE_SIP_RTP_TIMEOUT_S": "30"}).sip)  # fmt: skip
    assert (sip.rtp_latch, sip.rtp_timeout_s, sip.ack_timeout_s) == ("strict", 30.0, 8.0)
    with pytest.raises(ConfigError, match="sip.rtp_latch"):
        load_config(None, env={"HOTLINE_SIP_RTP_LATCH": "always"})
