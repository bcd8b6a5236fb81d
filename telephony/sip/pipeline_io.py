"""A SIP call as the voice pipeline sees it: the transport contract (voice/transport.py).

`SipTransport` is the contract: `SipInput` reads the call's 20 ms PCM16 8 kHz frames and
RFC 4733 digits in tasks owned by the processor (cancelled at pipeline cleanup) and says
the caller is connected as soon as the pipeline runs (the call is answered and ACKed by
then); `SipOutput` resamples Piper's audio to 8 kHz and queues it on the call's paced
RTP sender. The sender is the loudspeaker: marks queued behind the audio
(`SipCall.mark`) report when it has been sent, so BotStopped and each utterance's
TTSStoppedFrame follow what was actually sent, and barge-in clears it. `SipControl`
(telephony/sip/control.py) hangs up and transfers.
"""

from __future__ import annotations

import asyncio
import functools
import logging

import numpy as np
from pipecat.audio.dtmf.types import KeypadEntry
from pipecat.frames.frames import (
    Frame,
    InputAudioRawFrame,
    InputDTMFFrame,
    InterruptionFrame,
    OutputAudioRawFrame,
    StartFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from telephony.conversations.registry import CallRegistry, LiveCall
from telephony.sip import CallEndedError, SipCall
from telephony.sip.control import SipControl
from voice.media.audio import StreamResampler, float_to_pcm16, pcm16_to_float
from voice.transport import CallTransport, TransportInput, TransportOutput

log = logging.getLogger(__name__)
SIP_RATE_HZ = 8000
FRAME_BYTES = 320  # 20 ms of PCM16 at 8 kHz
GAP_S = 0.1  # RTP missing this long counts as that much silence
GAP_FRAME_BYTES = int(SIP_RATE_HZ * GAP_S) * 2


class SipInput(TransportInput):
    """Pipeline source: caller audio and keypad digits from one SipCall."""

    def __init__(self, call: SipCall, call_id: str) -> None:
        super().__init__(name=f"sip-in[{call_id[:8]}]")
        self._call = call
        self._call_id = call_id
        self._tasks: list[asyncio.Task[None]] = []

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        await self.push_frame(frame, direction)
        if isinstance(frame, StartFrame) and not self._tasks:
            self._tasks = [self.create_task(self._audio(), name="sip-audio-in"),
                           self.create_task(self._digits(), name="sip-dtmf-in")]
            await self.caller_connected()

    async def _audio(self) -> None:
        while True:
            try:
                frame = await asyncio.wait_for(self._call.recv_audio(), GAP_S)
            except TimeoutError:
                # No RTP (silence suppression, or a peer that stopped sending): the caller is
                # silent, and turn taking needs that silence to see the end of a turn.
                frame = bytes(GAP_FRAME_BYTES)
            if not frame:
                break
            await self.push_frame(InputAudioRawFrame(audio=frame, sample_rate=SIP_RATE_HZ,
                                                     num_channels=1))
        log.info("call %s: SIP media ended (%s)", self._call_id, self._call.end_reason)

    async def _digits(self) -> None:
        async for event in self._call.dtmf():
            try:
                button = KeypadEntry(event.digit)
            except ValueError:
                log.info("call %s: ignoring DTMF event %r", self._call_id, event.digit)
                continue
            await self.push_frame(InputDTMFFrame(button=button))

    async def cleanup(self) -> None:
        for task in self._tasks:
            await self.cancel_task(task)
        self._tasks = []
        await super().cleanup()


class SipOutput(TransportOutput):
    """Pipeline sink: agent speech onto the call's RTP sender, what was sent reported."""

    def __init__(self, call: SipCall, call_id: str) -> None:
        super().__init__(name=f"sip-out[{call_id[:8]}]")
        self._call = call
        self._call_id = call_id
        self._resampler: StreamResampler | None = None
        self._partial = b""
        self._queued = 0  # marks queued behind audio so far
        self._sent: asyncio.Queue[int] = asyncio.Queue()  # marks the sender has reached
        self._reached = 0
        self._held: list[tuple[int, Frame]] = []  # TTSStoppedFrames waiting for their audio
        self._tts_open = False
        self._task: asyncio.Task[None] | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, OutputAudioRawFrame):  # speech, the human agent, hold audio
            await self._send(self._to_8k(frame))
            return
        if isinstance(frame, TTSStartedFrame):
            self._tts_open = True
        elif isinstance(frame, TTSStoppedFrame) and direction is FrameDirection.DOWNSTREAM:
            self._tts_open = False
            await self._send(self._flush())
            self._held.append((self._queued, frame))
            await self._report()
            return
        elif isinstance(frame, InterruptionFrame):
            self._call.clear()  # unsent audio and its marks
            self._resampler, self._partial = None, b""
            self._held.clear()
            self._tts_open = False
            self._reached = self._queued
            await self.set_speaking(False)
        await self.push_frame(frame, direction)

    def _to_8k(self, frame: OutputAudioRawFrame) -> bytes:
        if self._resampler is None or self._resampler.in_rate_hz != frame.sample_rate:
            self._resampler = StreamResampler(frame.sample_rate, SIP_RATE_HZ)
        pcm = self._partial + float_to_pcm16(self._resampler.process(pcm16_to_float(frame.audio)))
        whole = len(pcm) - len(pcm) % FRAME_BYTES
        self._partial = pcm[whole:]
        return pcm[:whole]

    def _flush(self) -> bytes:
        """End of an utterance: the resampler's tail, padded to a whole 20 ms frame."""
        tail = self._partial
        if self._resampler is not None:
            tail += float_to_pcm16(self._resampler.process(np.zeros(0, np.float32), last=True))
        self._resampler, self._partial = None, b""
        return tail + bytes(-len(tail) % FRAME_BYTES) if tail else b""

    async def _send(self, pcm: bytes) -> None:
        if not pcm:
            return
        try:
            await self._call.send_audio(pcm)
        except CallEndedError:
            return
        self._queued += 1
        self._call.mark(functools.partial(self._sent.put_nowait, self._queued))
        if self._task is None:
            self._task = self.create_task(self._follow_sender(), name="sip-sent-watch")
        await self.set_speaking(True)

    async def _follow_sender(self) -> None:
        while True:
            self._reached = max(self._reached, await self._sent.get())
            await self._report()

    async def _report(self) -> None:
        """Forward the utterance ends the sender has reached; stop speaking once all is sent."""
        while self._held and self._held[0][0] <= self._reached:
            await self.push_frame(self._held.pop(0)[1])
        if self._reached >= self._queued and not self._tts_open and not self._held:
            await self.set_speaking(False)

    async def cleanup(self) -> None:
        if self._task is not None:
            await self.cancel_task(self._task)
        await super().cleanup()


class SipTransport(CallTransport):
    """One answered SipCall: its two pipeline ends and its controls."""

    out_sample_rate_hz = SIP_RATE_HZ

    def __init__(self, calls: CallRegistry, live: LiveCall, call: SipCall) -> None:
        self._input = SipInput(call, live.call_id)
        self._output = SipOutput(call, live.call_id)
        self.control = SipControl(calls, live, call)  # hang-up, REFER transfer
        self._call = call

    def backlog_s(self) -> float:
        return self._call.queued_ms / 1000

    def input(self) -> FrameProcessor:
        return self._input

    def output(self) -> FrameProcessor:
        return self._output
