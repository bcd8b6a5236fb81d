"""Human handoff inside the call's pipeline: AI mode, hold, then bridged to a person.

One `CallBridge` per call holds the mode and the call's `Mixer`; three small
processors read it:

  CallerSide  (before turn taking)  feeds caller audio (16 kHz mono, from the input
                                    normalizer) to the mixer; once a human has
                                    the call it stops the audio there, so the AI is paused
                                    (on hold the AI keeps answering, within policy)
  EscalationWatch (dialog -> TTS)   sees the dialog's escalating reply, switches to
                                    hold and tells telephony (`on_escalate`); in human
                                    mode it drops any AI speech
  AgentSide   (after TTS)           paces a 20 ms loop on the shared absolute clock
                                    (voice/media/pacing.py): hold tones while waiting, the
                                    mixer's "caller" mix (human agent + barging
                                    supervisor) once bridged, as TTSAudioRawFrame so
                                    the recorder puts it on the agent (right) channel.
                                    Hold tones are plain output audio: not recorded.
Whisper audio never enters this pipeline: the mixer routes it to the agent only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

import numpy as np
from pipecat.frames.frames import (
    Frame,
    InputAudioRawFrame,
    OutputAudioRawFrame,
    StartFrame,
    TTSAudioRawFrame,
    TTSStoppedFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from dialog.types import Session
from voice.frames import AgentSayFrame
from voice.media.audio import StreamResampler, To16kPcm
from voice.media.pacing import PlayoutClock
from voice.mixer import FRAME_SAMPLES, RATE_HZ, Mixer
from voice.processors.normalize import pipeline_pcm

log = logging.getLogger(__name__)
STALL_RESYNC_S = 1.0  # the loop stalled this long: restart the clock rather than burst
HOLD_FALLBACK_S = 10.0  # start hold music even if the transfer message never finished
EscalateHook = Callable[[Any], Awaitable[None]]


class BridgeMode(StrEnum):
    AI = "ai"
    HOLD = "hold"
    HUMAN = "human"


class CallBridge:
    def __init__(self, call_id: str, *, hold_period_s: float = 4.0) -> None:
        self.call_id = call_id
        self.mode = BridgeMode.AI
        self.mixer = Mixer()
        self.mixer.attach("caller")
        self.on_escalate: EscalateHook | None = None
        self.hold_period_s = hold_period_s
        self.escalated_at: float | None = None
        self.transfer_spoken = False
        self.left_ai = asyncio.Event()  # the pacing loop sleeps until the call leaves the AI

    def to_hold(self) -> None:
        if self.mode is BridgeMode.AI:
            self.mode = BridgeMode.HOLD
            self.escalated_at = time.monotonic()
            self.left_ai.set()
            log.info("call %s: on hold, waiting for a human agent", self.call_id)

    def to_human(self) -> None:
        self.mode = BridgeMode.HUMAN
        self.left_ai.set()
        log.info("call %s: bridged to a human agent", self.call_id)

    def hold_ready(self) -> bool:
        waited = time.monotonic() - (self.escalated_at or time.monotonic())
        return self.transfer_spoken or waited > HOLD_FALLBACK_S


def hold_tone(start_sample: int, n: int, period_s: float) -> np.ndarray:
    """A soft two-note chime (E5 then C5, 0.25 s each, faded) every `period_s`; int16."""
    t = (np.arange(start_sample, start_sample + n) % int(period_s * RATE_HZ)) / RATE_HZ
    out = np.zeros(n, dtype=np.float32)
    for begin, hz in ((0.0, 659.25), (0.3, 523.25)):
        local = t - begin
        on = (local >= 0) & (local < 0.25)
        envelope = np.sin(np.pi * np.clip(local / 0.25, 0, 1))
        out += np.where(on, 0.08 * envelope * np.sin(2 * np.pi * hz * local), 0.0).astype(np.float32)
    return (out * 32767).astype(np.int16)


class CallerSide(FrameProcessor):
    def __init__(self, bridge: CallBridge) -> None:
        super().__init__(name=f"bridge-caller[{bridge.call_id[:8]}]")
        self._bridge = bridge

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, InputAudioRawFrame):
            self._bridge.mixer.feed("caller", np.frombuffer(pipeline_pcm(frame), dtype=np.int16))
            if self._bridge.mode is BridgeMode.HUMAN:
                return  # a person has the call: the AI's turn taking never hears this
        await self.push_frame(frame, direction)


class EscalationWatch(FrameProcessor):
    def __init__(self, bridge: CallBridge, session: Session | None = None) -> None:
        super().__init__(name=f"bridge-watch[{bridge.call_id[:8]}]")
        self._bridge = bridge
        self._session = session
        self._task: asyncio.Task[None] | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, AgentSayFrame):
            if self._bridge.mode is BridgeMode.HUMAN:
                return
            reply = frame.reply
            if reply is not None and getattr(reply, "escalate", False) and self._bridge.mode is BridgeMode.AI:
                self._bridge.to_hold()
                if self._session is not None:  # the brain keeps helping, within policy
                    self._session.mark_awaiting_human()
                if self._bridge.on_escalate is not None:
                    self._task = self.create_task(self._escalate(reply), name="handoff")
        await self.push_frame(frame, direction)

    async def _escalate(self, reply: Any) -> None:
        assert self._bridge.on_escalate is not None
        try:
            await self._bridge.on_escalate(reply)
        except Exception:
            log.exception("call %s: handoff failed", self._bridge.call_id)

    async def cleanup(self) -> None:
        if self._task is not None and not self._task.done():
            await self.cancel_task(self._task)
        await super().cleanup()


class AgentSide(FrameProcessor):
    def __init__(self, bridge: CallBridge) -> None:
        super().__init__(name=f"bridge-agent[{bridge.call_id[:8]}]")
        self._bridge = bridge
        self._loop: asyncio.Task[None] | None = None
        self._queued_until = 0.0  # monotonic time when audio pushed so far ends playing
        self._to16k = To16kPcm()
        self._hold_sample = 0
        # the output transport's resampler is fixed to the first rate it sees (the TTS
        # voice's), so bridged and hold audio go out at that rate too
        self._out_rate_hz = RATE_HZ
        self._upsampler: StreamResampler | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame) and self._loop is None:
            self._loop = self.create_task(self._pace(), name="bridge-pace")
        elif isinstance(frame, TTSAudioRawFrame) and direction is FrameDirection.DOWNSTREAM:
            self._track(frame)
        elif isinstance(frame, TTSStoppedFrame) and self._bridge.mode is BridgeMode.HOLD:
            self._bridge.transfer_spoken = True
        await self.push_frame(frame, direction)

    def _track(self, frame: TTSAudioRawFrame) -> None:
        seconds = len(frame.audio) / 2 / frame.num_channels / frame.sample_rate
        self._queued_until = max(self._queued_until, time.monotonic()) + seconds
        self._out_rate_hz = frame.sample_rate
        if self._bridge.mode is BridgeMode.AI:
            self._bridge.mixer.feed("bot", self._to16k(frame.audio, frame.sample_rate, frame.num_channels))

    async def _pace(self) -> None:
        """Every 20 ms on an absolute clock, so frames never drift (idle while the AI talks)."""
        await self._bridge.left_ai.wait()
        clock = PlayoutClock(restart_after_s=STALL_RESYNC_S)
        clock.due(time.monotonic())
        clock.sent()  # the first frame is due one period from now
        while True:
            await asyncio.sleep(max(0.0, clock.due(time.monotonic()) - time.monotonic()))
            clock.sent()
            mode = self._bridge.mode
            if mode is BridgeMode.HUMAN:
                pcm = self._bridge.mixer.pull("caller")
                if pcm is not None:
                    await self.push_frame(TTSAudioRawFrame(audio=self._out(pcm), sample_rate=self._out_rate_hz,
                                                           num_channels=1))
            elif mode is BridgeMode.HOLD and self._bridge.hold_ready():
                if time.monotonic() < self._queued_until:
                    continue  # the transfer message is still playing
                tone = hold_tone(self._hold_sample, FRAME_SAMPLES, self._bridge.hold_period_s)
                self._hold_sample += FRAME_SAMPLES
                await self.push_frame(OutputAudioRawFrame(audio=self._out(tone), sample_rate=self._out_rate_hz,
                                                          num_channels=1))

    def _out(self, pcm: np.ndarray) -> bytes:
        if self._upsampler is None or self._upsampler.out_rate_hz != self._out_rate_hz:
            self._upsampler = StreamResampler(RATE_HZ, self._out_rate_hz)
        audio = self._upsampler.process(pcm.astype(np.float32) / 32768)
        return (np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes()

    async def cleanup(self) -> None:
        if self._loop is not None and not self._loop.done():
            await self.cancel_task(self._loop)
        await super().cleanup()
