"""Call Hotline from a recording: the same pipeline, a scripted caller and a virtual loudspeaker.

The call's transport is `FileTransport` (voice/file_transport.py). The recording is
streamed in 20 ms frames at real-time pace (or `speed` times faster), after the greeting
has played, followed by silence so the last turn ends and the reply plays out, exactly as
a phone caller would experience it. The caller waits on what the loudspeaker reports
(frames it saw: turns decided, utterances played) and on the turn records; nothing polls.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pipecat.frames.frames import EndFrame
from pipecat.workers.runner import WorkerRunner

from voice.context import CallContext, VoiceServices
from voice.events import CallObserver, FanOutObserver, TurnRecord
from voice.file_transport import FileInput, FileTransport
from voice.pipeline import build_call_pipeline
from voice.playout import VirtualSpeaker
from voice.processors.bridge import CallBridge
from voice.processors.tts import SpeechCache
from voice.recording import CallRecorder

log = logging.getLogger(__name__)
FRAME_MS = 20
QUIET_TIMEOUT_S = 60.0  # longest wait for the agent to finish
RECORD_TIMEOUT_S = 3.0  # a decided turn reaches the dialog at once, unless it had no words
# A caller who answers what they hear: given the turns so far, the next utterance, or None
# to stop talking.
CallerScript = Callable[[list[TurnRecord]], "np.ndarray | None"]


class TurnCollector:
    def __init__(self) -> None:
        self.turns: list[TurnRecord] = []
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.changed = asyncio.Event()

    async def on_turn(self, turn: TurnRecord) -> None:
        self.turns.append(turn)
        self.changed.set()

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        self.events.append((kind, data))

    def count(self, speaker: str) -> int:
        return sum(t.speaker == speaker for t in self.turns)


@dataclass
class FileCallResult:
    call_id: str
    turns: list[TurnRecord]
    reply_audio: np.ndarray  # int16 at out_rate_hz: everything the caller heard
    out_rate_hz: int
    stream_started_at: float = 0.0  # monotonic time the recording's first sample was sent
    first_audio_times: list[float] = field(default_factory=list)  # monotonic, audio after quiet
    utterance_times: list[float] = field(default_factory=list)  # monotonic, each agent utterance heard
    cut_times: list[float] = field(default_factory=list)  # monotonic, playout cut by barge-in
    end_reason: str = "completed"  # "agent_hangup" when the agent said goodbye and hung up


async def run_file_call(
    services: VoiceServices,
    cache: SpeechCache,
    audio: np.ndarray | list[np.ndarray] | CallerScript,
    sample_rate_hz: int,
    *,
    observer: CallObserver | None = None,
    caller_id: str | None = None,
    caller_verified: bool = False,
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
    utterances is a conversation: each is said once the agent has finished answering; a
    `CallerScript` picks each utterance from the turns so far (it must not block).

    By default the caller waits for the greeting to finish; with
    `talk_over_greeting_after_s` the caller starts talking that long into it (barge-in).
    A goodbye from the agent ends the call (the rest of the script is not said). Each
    utterance waits for its turn decision and the agent's answer to it, however long the
    models take on a loaded CPU. With `talk_over_reply_after_s` (a list only), each
    utterance but the last is followed by silence until the agent starts answering it,
    then that long more: the next one is said over the answer (barge-in).
    """
    call_id = call_id or uuid.uuid4().hex
    collector = TurnCollector()
    fan = FanOutObserver(collector, *([observer] if observer else []))
    if greet != services.config.greeting:
        services = dataclasses.replace(services, config=dataclasses.replace(services.config, greeting=greet))
    ctx = CallContext(call_id=call_id, services=services, channel="file", observer=fan,
                      caller_id=caller_id, caller_verified=caller_verified)
    transport = FileTransport(16000)
    assert ctx.session is not None
    ctx.session.control = transport.control
    call = build_call_pipeline(ctx, cache, transport, recorder=recorder, bridge=bridge)
    transport.control.worker = call.worker
    caller, speaker, ended = transport.caller, transport.speaker, transport.control.ended
    events = [speaker.changed, collector.changed, ended]
    runner = WorkerRunner(handle_sigint=False)
    await runner.add_workers(call.worker)
    run_task = asyncio.create_task(runner.run())
    stream_started_at = 0.0
    try:
        await asyncio.wait_for(caller.started.wait(), 30)
        if greet:
            if talk_over_greeting_after_s is None:
                await _wait(lambda: speaker.utterances > 0 and speaker.idle.is_set(), events)
            else:
                await _wait(lambda: bool(speaker.first_audio_times), events)
                await asyncio.sleep(talk_over_greeting_after_s)
        silence = np.zeros(int(tail_silence_s * sample_rate_hz), dtype=np.int16)
        script = audio if callable(audio) else _in_order(audio)
        i = 0
        if talk_over_reply_after_s is not None:  # all but the last said over their answers
            assert isinstance(audio, list), "talking over replies takes a list of utterances"
            stream_started_at, i = time.monotonic(), 1
            await _talk_over(caller, speaker, audio[:-1], sample_rate_hz, speed, ended,
                             talk_over_reply_after_s)
            script = _in_order(audio[-1:])
        while not ended.is_set() and (utterance := script(collector.turns)) is not None:
            pcm = (np.clip(utterance, -1, 1) * 32767).astype(np.int16)
            if i == 0:
                stream_started_at = time.monotonic()
            i += 1
            heard, said, decided = speaker.utterances, collector.count("caller"), speaker.turns_ended
            await _stream(caller, np.concatenate([pcm, silence]), sample_rate_hz, speed, ended)
            if tail_silence_s > 0:  # the silence lets the turn end: wait for the decision
                await _wait(lambda: not speaker.caller_mid_turn, events)
            if speaker.turns_ended == decided:
                continue  # no turn was taken: nothing to answer
            await _answered(speaker, collector, events, heard=heard, said=said)
    finally:
        if not ended.is_set():
            await call.worker.queue_frame(EndFrame())
        try:
            await asyncio.wait_for(run_task, 15)
        except TimeoutError:
            await runner.cancel()
    return FileCallResult(call_id=call_id, turns=collector.turns, reply_audio=speaker.render(),
                          out_rate_hz=speaker.out_rate_hz, first_audio_times=speaker.first_audio_times,
                          utterance_times=speaker.utterance_times,
                          stream_started_at=stream_started_at, cut_times=speaker.cut_times,
                          end_reason=transport.control.end_reason or "completed")


def _in_order(audio: np.ndarray | list[np.ndarray]) -> CallerScript:
    lines = iter(audio if isinstance(audio, list) else [audio])
    return lambda _turns: next(lines, None)


async def _stream(caller: FileInput, pcm: np.ndarray, rate: int, speed: float,
                  ended: asyncio.Event) -> None:
    step = rate * FRAME_MS // 1000
    t0 = time.monotonic()
    for i, start in enumerate(range(0, len(pcm), step)):
        if ended.is_set():
            return
        await caller.say(pcm[start:start + step], rate)
        delay = t0 + (i + 1) * FRAME_MS / 1000 / speed - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


async def _talk_over(caller: FileInput, speaker: VirtualSpeaker, lines: list[np.ndarray],
                     rate: int, speed: float, ended: asyncio.Event, after_s: float) -> None:
    """Each of `lines`, then silence (the line stays open, 20 ms at a time) until the agent
    starts answering it (or 30 s), then `after_s` more."""
    quiet = np.zeros(rate * FRAME_MS // 1000, dtype=np.int16)
    for line in lines:
        before = len(speaker.first_audio_times)
        await _stream(caller, (np.clip(line, -1, 1) * 32767).astype(np.int16), rate, speed, ended)
        deadline = time.monotonic() + 30.0
        while (len(speaker.first_audio_times) == before and not ended.is_set()
               and time.monotonic() < deadline):
            await _stream(caller, quiet, rate, speed, ended)
        await _stream(caller, np.zeros(int(after_s * rate), dtype=np.int16), rate, speed, ended)


async def _answered(speaker: VirtualSpeaker, collector: TurnCollector, events: list[asyncio.Event],
                    *, heard: int, said: int) -> None:
    """A caller turn was decided: once the dialog has it (unless it had no words), until the
    agent's answer has played."""
    if await _wait(lambda: collector.count("caller") > said, events, RECORD_TIMEOUT_S):
        await _wait(lambda: speaker.utterances > heard and speaker.idle.is_set(), events)


async def _wait(done: Callable[[], bool], events: list[asyncio.Event],
                timeout_s: float = QUIET_TIMEOUT_S) -> bool:
    """Until `done()` holds, re-checked whenever one of `events` is set (no polling), or the
    call ends; False after `timeout_s`."""

    async def until_done() -> None:
        while not done() and not events[-1].is_set():
            for event in events[:-1]:
                event.clear()
            waiters = [asyncio.ensure_future(event.wait()) for event in events]
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()

    try:
        await asyncio.wait_for(until_done(), timeout_s)
    except TimeoutError:
        if timeout_s >= QUIET_TIMEOUT_S:
            log.warning("file call: the agent is still busy after %.0f s", timeout_s)
        return False
    return done()
