"""Call Hotline from a recording: the same pipeline, a virtual caller and loudspeaker.

The recording is streamed in 20 ms frames at real-time pace (or `speed` times
faster), after the greeting has played, followed by silence so the last turn ends
and the reply plays out, exactly as a phone caller would experience it.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pipecat.frames.frames import EndFrame, InputAudioRawFrame
from pipecat.workers.runner import WorkerRunner

from voice.context import CallContext, VoiceServices
from voice.events import CallObserver, FanOutObserver, TurnRecord
from voice.frames import GreetFrame
from voice.pipeline import build_call_pipeline
from voice.playout import VirtualSpeaker
from voice.processors.bridge import CallBridge
from voice.processors.tts import SpeechCache
from voice.recording import CallRecorder

log = logging.getLogger(__name__)
FRAME_MS = 20


class TurnCollector:
    def __init__(self) -> None:
        self.turns: list[TurnRecord] = []
        self.events: list[tuple[str, dict[str, Any]]] = []

    async def on_turn(self, turn: TurnRecord) -> None:
        self.turns.append(turn)

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        self.events.append((kind, data))


@dataclass
class FileCallResult:
    call_id: str
    turns: list[TurnRecord]
    reply_audio: np.ndarray  # int16 at out_rate_hz: everything the caller heard
    out_rate_hz: int
    stream_started_at: float = 0.0  # monotonic time the recording's first sample was sent
    first_audio_times: list[float] = field(default_factory=list)  # monotonic, per agent utterance
    cut_times: list[float] = field(default_factory=list)  # monotonic, playout cut by barge-in


async def run_file_call(
    services: VoiceServices,
    cache: SpeechCache,
    audio: np.ndarray | list[np.ndarray],
    sample_rate_hz: int,
    *,
    observer: CallObserver | None = None,
    caller_id: str | None = None,
    call_id: str | None = None,
    speed: float = 1.0,
    greet: bool = True,
    tail_silence_s: float = 2.5,
    talk_over_greeting_after_s: float | None = None,
    talk_over_reply_after_s: float | None = None,
    recorder: CallRecorder | None = None,
    bridge: CallBridge | None = None,
) -> FileCallResult:
    """`audio`: float32 mono in [-1, 1] at `sample_rate_hz` (any rate); a list of
    utterances is a conversation: each is said once the agent has finished answering.

    By default the caller waits for the greeting to finish; with
    `talk_over_greeting_after_s` the caller starts talking that long into it (barge-in).
    With `talk_over_reply_after_s`, each utterance after the first is said that long after
    the agent starts answering the one before (the line stays silent until then).
    """
    call_id = call_id or uuid.uuid4().hex
    collector = TurnCollector()
    fan = FanOutObserver(collector, *( [observer] if observer else []))
    ctx = CallContext(call_id=call_id, services=services, channel="file", observer=fan,
                      caller_id=caller_id)
    speaker = VirtualSpeaker(16000)
    call = build_call_pipeline(ctx, cache, None, speaker, recorder=recorder, bridge=bridge)
    started = asyncio.Event()

    @call.worker.event_handler("on_pipeline_started")
    async def _started(*_: Any) -> None:
        started.set()

    runner = WorkerRunner(handle_sigint=False)
    await runner.add_workers(call.worker)
    run_task = asyncio.create_task(runner.run())
    stream_started_at = 0.0
    try:
        await asyncio.wait_for(started.wait(), 30)
        if greet:
            await call.worker.queue_frame(GreetFrame())
            if talk_over_greeting_after_s is None:
                await _wait_quiet(ctx, speaker, speed)
            else:
                while not speaker.first_audio_times:  # noqa: ASYNC110 - polls the speaker's clock
                    await asyncio.sleep(0.01)
                await asyncio.sleep(talk_over_greeting_after_s)
        silence = np.zeros(int(tail_silence_s * sample_rate_hz), dtype=np.int16)
        utterances = audio if isinstance(audio, list) else [audio]
        for i, utterance in enumerate(utterances):
            pcm = (np.clip(utterance, -1, 1) * 32767).astype(np.int16)
            if i == 0:
                stream_started_at = time.monotonic()
            if talk_over_reply_after_s is not None and i < len(utterances) - 1:
                heard = len(speaker.first_audio_times)

                def answering(before: int = heard) -> bool:
                    return len(speaker.first_audio_times) > before

                await _stream(call.worker, pcm, sample_rate_hz, speed)
                await _silence_until(call.worker, sample_rate_hz, speed, answering)
                await _stream(call.worker, np.zeros(int(talk_over_reply_after_s * sample_rate_hz),
                                                    dtype=np.int16), sample_rate_hz, speed)
                continue
            await _stream(call.worker, np.concatenate([pcm, silence]), sample_rate_hz, speed)
            await _wait_quiet(ctx, speaker, speed)
    finally:
        await call.worker.queue_frame(EndFrame())
        try:
            await asyncio.wait_for(run_task, 15)
        except TimeoutError:
            await runner.cancel()
    return FileCallResult(call_id=call_id, turns=collector.turns, reply_audio=speaker.render(),
                          out_rate_hz=speaker.out_rate_hz, first_audio_times=speaker.first_audio_times,
                          stream_started_at=stream_started_at, cut_times=speaker.cut_times)


async def _stream(worker: Any, pcm: np.ndarray, rate: int, speed: float) -> None:
    step = rate * FRAME_MS // 1000
    t0 = time.monotonic()
    for i, start in enumerate(range(0, len(pcm), step)):
        chunk = pcm[start:start + step]
        await worker.queue_frame(InputAudioRawFrame(audio=chunk.tobytes(), sample_rate=rate,
                                                    num_channels=1))
        delay = t0 + (i + 1) * FRAME_MS / 1000 / speed - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


async def _silence_until(worker: Any, rate: int, speed: float, done: Callable[[], bool],
                         timeout_s: float = 30.0) -> None:
    """Keep the line open (silence, 20 ms at a time) until `done()` or `timeout_s`."""
    quiet = np.zeros(rate * FRAME_MS // 1000, dtype=np.int16)
    deadline = time.monotonic() + timeout_s
    while not done() and time.monotonic() < deadline:
        await _stream(worker, quiet, rate, speed)


async def _wait_quiet(ctx: CallContext, speaker: VirtualSpeaker, speed: float,
                      timeout_s: float = 60.0) -> None:
    """Wait until no reply is being prepared and the speaker has played everything."""
    deadline = time.monotonic() + timeout_s
    await asyncio.sleep(0.05)
    while time.monotonic() < deadline:
        if not ctx.reply_in_flight and not ctx.bot_speaking:
            return
        await asyncio.sleep(0.02)
    log.warning("call %s: still busy after %.0f s", ctx.call_id, timeout_s)
