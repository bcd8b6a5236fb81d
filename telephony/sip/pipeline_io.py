"""The two ends of a SIP call's voice pipeline: RTP audio and DTMF in, agent speech out.

`SipInput` reads the call's 20 ms PCM16 8 kHz frames and RFC 4733 digits in tasks owned
by the processor (cancelled at pipeline cleanup). `SipOutput` resamples Piper's audio to
8 kHz and queues it on the call's paced RTP sender; since the sender is the loudspeaker,
BotStarted/StoppedSpeaking follow what it still has queued, and barge-in clears it.
"""

from __future__ import annotations

import asyncio
import logging

import numpy as np
from pipecat.audio.dtmf.types import KeypadEntry
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    Frame,
    InputAudioRawFrame,
    InputDTMFFrame,
    InterruptionFrame,
    OutputAudioRawFrame,
    StartFrame,
    TTSStoppedFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from telephony.sip import CallEndedError, SipCall
from voice.media.audio import StreamResampler, float_to_pcm16, pcm16_to_float

log = logging.getLogger(__name__)
SIP_RATE_HZ = 8000
FRAME_BYTES = 320  # 20 ms of PCM16 at 8 kHz
GAP_S = 0.1  # RTP missing this long counts as that much silence
GAP_FRAME_BYTES = int(SIP_RATE_HZ * GAP_S) * 2
POLL_S = 0.02  # how often the speaking watch looks at the sender's queue


class SipInput(FrameProcessor):
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


class SipOutput(FrameProcessor):
    """Pipeline sink: agent speech onto the call's RTP sender, speaking state upstream."""

    def __init__(self, call: SipCall, call_id: str) -> None:
        super().__init__(name=f"sip-out[{call_id[:8]}]")
        self._call = call
        self._call_id = call_id
        self._resampler: StreamResampler | None = None
        self._partial = b""
        self._watch: asyncio.Task[None] | None = None
        self.speaking = False

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, OutputAudioRawFrame):  # speech, the human agent, hold audio
            await self._send(self._to_8k(frame))
            return
        if isinstance(frame, TTSStoppedFrame):
            await self._send(self._flush())
        elif isinstance(frame, InterruptionFrame):
            self._call.clear()
            self._resampler, self._partial = None, b""
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
        if not self.speaking:
            self.speaking = True
            await self.push_frame(BotStartedSpeakingFrame(), FrameDirection.UPSTREAM)
        if self._watch is None or self._watch.done():
            self._watch = self.create_task(self._stop_when_sent(), name="sip-speaking-watch")

    async def _stop_when_sent(self) -> None:
        # the sender drains (or is cleared by barge-in) on its own clock: poll what it still holds
        while self._call.queued_ms > 0 and not self._call.ended.is_set():  # noqa: ASYNC110
            await asyncio.sleep(POLL_S)
        self.speaking = False
        await self.push_frame(BotStoppedSpeakingFrame(), FrameDirection.UPSTREAM)

    async def cleanup(self) -> None:
        if self._watch is not None:
            await self.cancel_task(self._watch)
        await super().cleanup()
