"""A call from a file, as the transport contract (voice/transport.py) sees it.

`FileInput` is the scripted caller's microphone (connected as soon as the pipeline runs;
the script pushes the recording through it), the `VirtualSpeaker` (voice/playout.py) is
the loudspeaker, and `FileControl` ends the call when the agent hangs up.
"""

from __future__ import annotations

import asyncio

import numpy as np
from pipecat.frames.frames import EndFrame, Frame, InputAudioRawFrame, StartFrame
from pipecat.pipeline.worker import PipelineWorker
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from voice.playout import VirtualSpeaker
from voice.transport import CallTransport, TransportInput


class FileInput(TransportInput):
    """The scripted caller's microphone: connected as soon as the pipeline starts."""

    def __init__(self) -> None:
        super().__init__(name="file-in")
        self.started = asyncio.Event()

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        await self.push_frame(frame, direction)
        if isinstance(frame, StartFrame):
            await self.caller_connected()
            self.started.set()

    async def say(self, pcm: np.ndarray, rate_hz: int) -> None:
        await self.push_frame(InputAudioRawFrame(audio=pcm.tobytes(), sample_rate=rate_hz,
                                                 num_channels=1))


class FileControl:
    """A file call's CallControl: hanging up ends the pipeline; no transfer."""

    can_transfer = False

    def __init__(self) -> None:
        self.worker: PipelineWorker | None = None
        self.end_reason: str | None = None
        self.ended = asyncio.Event()

    async def hang_up(self, reason: str = "agent_hangup") -> None:
        if self.end_reason is None and self.worker is not None:
            self.end_reason = reason
            self.ended.set()
            await self.worker.queue_frame(EndFrame())

    async def transfer(self, target: str) -> bool:
        return False


class FileTransport(CallTransport):
    def __init__(self, out_rate_hz: int = 16000) -> None:
        self.out_sample_rate_hz = out_rate_hz
        self.caller = FileInput()
        self.speaker = VirtualSpeaker(out_rate_hz)
        self.control: FileControl = FileControl()

    def input(self) -> FrameProcessor:
        return self.caller

    def output(self) -> FrameProcessor:
        return self.speaker
