"""Recorder taps: one before turn taking (caller audio), one after TTS (agent audio)."""

from __future__ import annotations

import numpy as np
from pipecat.frames.frames import (
    EndFrame,
    Frame,
    InputAudioRawFrame,
    InterruptionFrame,
    TTSAudioRawFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from voice.audio import StreamResampler, downmix
from voice.recording import RATE_HZ, CallRecorder


def _to16k(resampler: StreamResampler, audio: bytes) -> np.ndarray:
    pcm = np.frombuffer(audio, dtype=np.int16).astype(np.float32) / 32768
    out = resampler.process(pcm)
    return (np.clip(out, -1, 1) * 32767).astype(np.int16)


class CallerTap(FrameProcessor):
    def __init__(self, recorder: CallRecorder) -> None:
        super().__init__(name="record-caller")
        self._rec = recorder
        self._resampler: StreamResampler | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, InputAudioRawFrame):
            if self._resampler is None or self._resampler.in_rate_hz != frame.sample_rate:
                self._resampler = StreamResampler(frame.sample_rate, RATE_HZ)
            self._rec.caller(_to16k(self._resampler, downmix(frame.audio, frame.num_channels)))
        await self.push_frame(frame, direction)


class AgentTap(FrameProcessor):
    def __init__(self, recorder: CallRecorder) -> None:
        super().__init__(name="record-agent")
        self._rec = recorder
        self._resampler: StreamResampler | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, TTSAudioRawFrame):
            if self._resampler is None or self._resampler.in_rate_hz != frame.sample_rate:
                self._resampler = StreamResampler(frame.sample_rate, RATE_HZ)
            self._rec.agent(_to16k(self._resampler, frame.audio))
        elif isinstance(frame, InterruptionFrame):
            self._rec.cut_agent()
        elif isinstance(frame, EndFrame):
            self._rec.close()
        await self.push_frame(frame, direction)

    async def cleanup(self) -> None:
        self._rec.close()
        await super().cleanup()
