"""The SIP side of the transport contract, frames in and out (pipecat's run_test), on a real
RTP sender writing to a UDP socket on 127.0.0.1: the input says the caller is connected
and pushes their audio; the output reports speaking from what the sender has sent,
forwards an utterance's end only once sent, and drops the rest on barge-in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import numpy as np
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    ClientConnectedFrame,
    InputAudioRawFrame,
    InterruptionFrame,
    TTSAudioRawFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
)
from pipecat.tests.utils import SleepFrame, run_test

from dialog.types import Reply
from telephony.sip.call import Caller, SipCall
from telephony.sip.media import MediaSession
from telephony.sip.pipeline_io import SipInput, SipOutput
from telephony.sip.sdp import MediaPlan
from tests.telephony.sip_helpers import UdpPeer, udp_peer
from voice.frames import ReplySpokenFrame


class _Signalling:
    async def hangup(self) -> None:
        return None

    async def transfer(self, target_uri: str) -> None:
        return None


@asynccontextmanager
async def sip_call(peer: UdpPeer) -> AsyncIterator[tuple[SipCall, MediaSession]]:
    plan = MediaPlan("127.0.0.1", peer.port, 0, "PCMU", 101, "sendrecv")
    media = MediaSession("t1", plan)
    loop = asyncio.get_running_loop()
    await loop.create_datagram_endpoint(lambda: media, local_addr=("127.0.0.1", 0))
    media.start_sending()
    try:
        yield SipCall("t1", Caller("tester", "", "sip:tester@127.0.0.1"), "service",
                      ("127.0.0.1", peer.port), media, _Signalling()), media
    finally:
        await media.close()


def _speech(seconds: float, rate_hz: int = 22050) -> TTSAudioRawFrame:
    t = np.arange(int(rate_hz * seconds)) / rate_hz
    audio = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16).tobytes()
    return TTSAudioRawFrame(audio=audio, sample_rate=rate_hz, num_channels=1)


async def test_sip_output_reports_what_the_rtp_sender_has_sent() -> None:
    utterance = [TTSStartedFrame(), _speech(0.4), ReplySpokenFrame(reply=Reply(text="hello"))]
    async with udp_peer() as peer, sip_call(peer) as (call, media):
        down, up = await run_test(SipOutput(call, "t1"), frames_to_send=[*utterance, SleepFrame(0.15)])
        assert [type(f) for f in down] == [TTSStartedFrame]  # still being sent
        assert [type(f) for f in up] == [BotStartedSpeakingFrame]
        assert call.queued_ms > 0
        call.clear()
        sent_before = media.packets_out
        down, up = await run_test(SipOutput(call, "t1"), frames_to_send=[*utterance, SleepFrame(0.8)])
        assert [type(f) for f in down] == [TTSStartedFrame, ReplySpokenFrame]
        assert [type(f) for f in up] == [BotStartedSpeakingFrame, BotStoppedSpeakingFrame]
        assert call.queued_ms == 0 and media.packets_out - sent_before >= 20  # 0.4 s = 20 packets


async def test_sip_output_drops_unsent_audio_on_barge_in() -> None:
    frames = [TTSStartedFrame(), _speech(2.0), ReplySpokenFrame(reply=Reply(text="hello")),
              SleepFrame(0.2), InterruptionFrame(), SleepFrame(0.1)]
    async with udp_peer() as peer, sip_call(peer) as (call, _):
        down, up = await run_test(SipOutput(call, "t1"), frames_to_send=frames)
        assert call.queued_ms == 0
    assert [type(f) for f in up] == [BotStartedSpeakingFrame, BotStoppedSpeakingFrame]
    assert not any(isinstance(f, TTSStoppedFrame) for f in down)


async def test_sip_input_says_connected_then_pushes_the_callers_audio() -> None:
    async with udp_peer() as peer, sip_call(peer) as (call, media):
        for _ in range(5):
            media.frames_in.put_nowait(bytes(320))
        down, _ = await run_test(SipInput(call, "t1"), frames_to_send=[SleepFrame(0.05)])
    assert isinstance(down[0], ClientConnectedFrame)
    audio = [f for f in down if isinstance(f, InputAudioRawFrame)]
    assert len(audio) >= 5 and all(f.sample_rate == 8000 for f in audio)


async def test_drained_waits_for_the_sender_not_a_timer() -> None:
    """SipControl lets the transfer message finish before it REFERs: `drained()` returns
    when the sender has sent what was queued, or when barge-in cleared it."""
    async with udp_peer() as peer, sip_call(peer) as (call, _):
        await call.send_audio(bytes(320 * 15))  # 300 ms
        started = asyncio.get_running_loop().time()
        await asyncio.wait_for(call.drained(), 5)
        assert asyncio.get_running_loop().time() - started >= 0.25 and call.queued_ms == 0
        await call.send_audio(bytes(320 * 500))  # 10 s
        waiting = asyncio.ensure_future(call.drained())
        await asyncio.sleep(0.1)
        assert not waiting.done()
        call.clear()
        await asyncio.wait_for(waiting, 1)
