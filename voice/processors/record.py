"""Recorder taps: one before turn taking (caller audio, already 16 kHz mono: the input
normalizer's output), one after TTS (agent audio, resampled to 16 kHz here)."""

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

from voice.media.audio import To16kPcm
from voice.processors.normalize import pipeline_pcm
from voice.recording import CallRecorder


class CallerTap(FrameProcessor):
    def __init__(self, recorder: CallRecorder) -> None:
        super().__init__(name="record-caller")
        self._rec = recorder

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, InputAudioRawFrame):
            self._rec.caller(np.frombuffer(pipeline_pcm(frame), dtype=np.int16))
        await self.push_frame(frame, direction)


class AgentTap(FrameProcessor):
    def __init__(self, recorder: CallRecorder) -> None:
        super().__init__(name="record-agent")
        self._rec = recorder
        self._to16k = To16kPcm()

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, TTSAudioRawFrame):
            self._rec.agent(self._to16k(frame.audio, frame.sample_rate, frame.num_channels))
        elif isinstance(frame, InterruptionFrame):
            self._rec.cut_agent()
        elif isinstance(frame, EndFrame):
            self._rec.close()
        await self.push_frame(frame, direction)

    async def cleanup(self) -> None:
        self._rec.close()
        await super().cleanup()
