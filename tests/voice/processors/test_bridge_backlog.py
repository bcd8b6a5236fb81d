"""AgentSide against an output that plays slower than the wall clock (a busy machine).

Frames in, frames out, real time: the human agent's audio reaches the mixer on the wall clock
(20 ms frames, each holding its own index); AgentSide paces the caller's mix into a stand-in
for an output transport that plays 20 ms every 33 ms and reports its backlog as a transport
does (`CallTransport.backlog_s`, voice/transport.py). What the caller would hear late is the
gap between the newest index fed and the index being played. Without the backlog the gap
grows for as long as the call lasts (0.4 s per second here); with it, it stays within
the mixer's cap plus the allowed backlog, and the oldest audio is what gets dropped.
"""

from __future__ import annotations

import asyncio
import time

import numpy as np
from pipecat.frames.frames import Frame, TTSAudioRawFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.tests.utils import SleepFrame

from tests.voice.processors.harness import frames_through
from voice.mixer import FRAME_SAMPLES, LIVE_CAP_S
from voice.processors.bridge import LIVE_BACKLOG_S, AgentSide, CallBridge

RUN_S = 4.0
SLACK_S = 0.2  # a frame or two in flight, and the timers of a busy machine
PLAY_EVERY_S = 0.033  # the output's clock: 60% of real time
STEP = 10  # sample value per frame index


class SlowOutput(FrameProcessor):
    """Plays one queued frame per PLAY_EVERY_S; notes (index played, newest index fed)."""

    def __init__(self, fed: list[int]) -> None:
        super().__init__()
        self._fed = fed
        self._queue: list[int] = []
        self.lags: list[tuple[float, int]] = []
        self._task: asyncio.Task[None] | None = None

    def backlog_s(self) -> float:
        return len(self._queue) * 0.02

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, TTSAudioRawFrame):
            pcm = np.frombuffer(frame.audio, dtype=np.int16)
            self._queue.append(round(float(np.median(pcm)) / STEP))
            if self._task is None:
                self._task = self.create_task(self._play(), name="slow-output")
            return
        await self.push_frame(frame, direction)

    async def _play(self) -> None:
        while True:
            await asyncio.sleep(PLAY_EVERY_S)
            if self._queue:
                self.lags.append((time.monotonic(), self._fed[-1] - self._queue.pop(0)))

    async def cleanup(self) -> None:
        if self._task is not None:
            await self.cancel_task(self._task)
        await super().cleanup()


async def worst_lag_s(with_backlog: bool) -> float:
    """The caller's worst lag behind the agent in the run's last second, in seconds."""
    bridge = CallBridge(f"backlog-{with_backlog}")
    bridge.mixer.attach("agent")
    fed = [0]
    output = SlowOutput(fed)
    side = AgentSide(bridge, backlog_s=output.backlog_s) if with_backlog else AgentSide(bridge)
    bridge.to_human()

    async def agent_talks() -> None:
        t0 = time.monotonic()
        for k in range(1, int(RUN_S / 0.02) + 50):
            bridge.mixer.feed("agent", np.full(FRAME_SAMPLES, k * STEP, dtype=np.int16))
            fed.append(k)
            await asyncio.sleep(max(0.0, t0 + k * 0.02 - time.monotonic()))

    talking = asyncio.create_task(agent_talks())
    try:
        start = time.monotonic()
        await frames_through(Pipeline([side, output]), [SleepFrame(RUN_S)])
    finally:
        talking.cancel()
    late = [lag for t, lag in output.lags if t > start + RUN_S - 1.0]
    assert late, "nothing was played"
    return max(late) * 0.02


async def test_a_slow_output_does_not_leave_the_caller_ever_further_behind() -> None:
    lag = await worst_lag_s(with_backlog=True)
    bound = LIVE_CAP_S + LIVE_BACKLOG_S + SLACK_S
    assert lag <= bound, f"the caller hears the agent {lag:.2f} s late (bound {bound:.2f} s)"


async def test_without_the_backlog_the_caller_falls_behind() -> None:
    """The cause, shown: the same run without the output's backlog drifts further."""
    assert await worst_lag_s(with_backlog=False) > LIVE_CAP_S + LIVE_BACKLOG_S + SLACK_S + 0.3
