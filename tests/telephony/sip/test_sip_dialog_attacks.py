"""Issue 15, finding 4: in-dialog requests from a third party who knows Call-ID and tags."""

from __future__ import annotations

import asyncio

from tests.telephony.sip_attack_helpers import (
    Call,
    drain,
    hang_up,
    in_dialog,
    peer_at,
    place_call,
    sdp,
    stream,
)
from tests.telephony.sip_helpers import invite, running, status_of, udp_peer


async def test_a_strangers_bye_reinvite_and_refer_are_refused_and_the_callers_bye_works() -> None:
    async with (
        running() as server, udp_peer() as sip, udp_peer() as media,
        peer_at("127.0.0.2") as stranger, peer_at("127.0.0.2") as stranger_media,
    ):  # fmt: skip
        call = await place_call(sip, server.port, media, "spoof1")
        await stream(media, call.rtp_port, 0.2)
        session = next(iter(server.sessions.values()))
        for cseq, method, body in [
            (50, "INVITE", sdp("127.0.0.2", stranger_media.port)),  # redirect the media
            (51, "INVITE", sdp("127.0.0.1", media.port, "inactive")),  # or silence it
            (52, "INFO", b""), (53, "REFER", b""), (100, "BYE", b""),
        ]:  # fmt: skip
            stranger.send(in_dialog(method, "spoof1", stranger.port, call.to_tag, cseq, body,
                                    host="127.0.0.2"), server.port)  # fmt: skip
            answer = await stranger.final()
            assert status_of(answer) in (403, 481), (method, answer[:60])
        await asyncio.sleep(0.3)
        assert session.state == "confirmed" and not session.call.on_hold
        drain(media)
        await asyncio.sleep(0.2)
        assert drain(media) >= 5 and drain(stranger_media) == 0  # the agent still speaks to the caller
        await hang_up(sip, server, call, cseq=2)  # the real BYE, CSeq untouched by the stranger's


async def test_a_strangers_cancel_does_not_end_a_ringing_call() -> None:
    async with (
        running(answer_delay_s=0.5) as server, udp_peer() as sip, udp_peer() as media,
        peer_at("127.0.0.2") as stranger,
    ):  # fmt: skip
        offer = invite("cancel9", sip.port, media.port)
        sip.send(offer, server.port)
        assert status_of(await sip.recv()) == 100
        cancel = offer.split(b"\r\n\r\n")[0].replace(b"INVITE sip:", b"CANCEL sip:", 1)
        cancel = cancel.replace(b"CSeq: 1 INVITE", b"CSeq: 1 CANCEL").split(b"Content-Type")[0]
        stranger.send(cancel + b"Content-Length: 0\r\n\r\n", server.port)
        assert status_of(await stranger.final()) == 481
        ok = await sip.final()
        assert status_of(ok) == 200
        call_to_tag = ok.split(b"To: ")[1].split(b"tag=")[1].split(b"\r\n")[0].decode()
        sip.send(in_dialog("ACK", "cancel9", sip.port, call_to_tag, 1), server.port)
        await hang_up(sip, server, Call("cancel9", call_to_tag, 0, ok), cseq=2)
