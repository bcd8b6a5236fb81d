"""Frames in, frames out: pipecat's own `run_test` around one of our processors.

`run_test` (pipecat/tests/utils.py) puts the processor between a source and a sink
that record what comes out each way, queues the given frames, then an EndFrame. Our
processors answer from tasks (a dialog reply, TTS, a turn decision), so a test can
instead end the pipeline once the frame it waits for has gone by (`until`), or act
when a frame goes by (`on`: barge in), with `On` behind the processor. Nothing here
replaces any of our code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import numpy as np
from pipecat.frames.frames import EndFrame, EndWorkerFrame, Frame, InputAudioRawFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.tests.utils import run_test

Then = Callable[[FrameProcessor], Awaitable[None]]
FRAME_MS = 20


class On(FrameProcessor):
    """Passes everything on; the first time a `kind` frame goes by, runs `then`."""

    def __init__(self, kind: type[Frame], then: Then) -> None:
        super().__init__(enable_direct_mode=True)
        self._kind = kind
        self._then = then
        self._seen = False

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        await self.push_frame(frame, direction)
        if isinstance(frame, self._kind) and not self._seen:
            self._seen = True
            await self._then(self)


async def end_pipeline(at: FrameProcessor) -> None:
    """Ask the worker to end the pipeline, as a transport does when a call ends."""
    await at.push_frame(EndWorkerFrame(), FrameDirection.UPSTREAM)


async def interrupt(at: FrameProcessor) -> None:
    """Barge-in: an InterruptionFrame both ways from here."""
    await at.broadcast_interruption()


async def frames_through(processor: FrameProcessor, frames: Sequence[Frame], *,
                         until: type[Frame] | None = None,
                         on: tuple[type[Frame], Then] | None = None,
                         timeout_s: float = 120.0) -> tuple[list[Frame], list[Frame]]:
    """(downstream, upstream) frames that came out, without the pipeline's own end frames.
    `until`: end once such a frame came out (else after `frames` and an EndFrame);
    `on`: do something the first time a frame of a kind comes out."""
    watchers = ([On(*on)] if on else []) + ([On(until, end_pipeline)] if until else [])
    tested = Pipeline([processor, *watchers]) if watchers else processor
    down, up = await asyncio.wait_for(
        run_test(tested, frames_to_send=frames, send_end_frame=until is None, start_timeout=30.0),
        timeout_s)
    return ([f for f in down if not isinstance(f, EndFrame)],
            [f for f in up if not isinstance(f, EndWorkerFrame)])


def kinds(frames: Sequence[Frame]) -> list[type[Frame]]:
    """Frame types in order, runs of audio collapsed to one (their count varies)."""
    out: list[type[Frame]] = []
    for frame in frames:
        if not (out and out[-1] is type(frame) and hasattr(frame, "audio")):
            out.append(type(frame))
    return out


def audio_frames(audio_16k: np.ndarray) -> list[Frame]:
    """float32 mono 16 kHz -> 20 ms InputAudioRawFrames, as a transport delivers them."""
    pcm = (np.clip(audio_16k, -1, 1) * 32767).astype(np.int16)
    step = 16000 * FRAME_MS // 1000
    return [InputAudioRawFrame(audio=pcm[i:i + step].tobytes(), sample_rate=16000, num_channels=1)
            for i in range(0, len(pcm), step)]

