"""Human handoff inside the call's pipeline: AI mode, hold, then bridged to a person.

One `CallBridge` per call holds the mode and the call's `Mixer`; three small
processors read it:

  CallerSide  (before turn taking)  feeds caller audio (16 kHz mono, from the input
                                    normalizer) to the mixer; once a human has
                                    the call it stops the audio there, so the AI is paused
                                    (on hold the AI keeps answering, within policy); on
                                    hold, a key telephony takes (`on_hold_key`, e.g. 1 for
                                    a callback) never reaches the dialog
  EscalationWatch (dialog -> TTS)   sees the dialog's escalating reply, switches to
                                    hold and tells telephony (`on_escalate`); in human
                                    mode (or while letting the caller go) it drops any AI
                                    speech; on hold it hands TTS what telephony asked to
                                    say to the waiting caller (`say_on_hold`: queue
                                    position, callback offer), in a pause of the chime
  AgentSide   (after TTS)           paces a 20 ms loop on the shared absolute clock
                                    (voice/media/pacing.py): hold tones while waiting, the
                                    mixer's "caller" mix (human agent + barging
                                    supervisor) once bridged, as TTSAudioRawFrame so
                                    the recorder puts it on the agent (right) channel.
                                    Hold tones are plain output audio: not recorded.
                                    The output plays on its own clock; while its backlog
                                    (`CallTransport.backlog_s`) is over LIVE_BACKLOG_S the
                                    loop does not pull, so the mixer's bounded FIFO drops the
                                    oldest audio instead of the caller hearing it ever later.
Whisper audio never enters this pipeline: the mixer routes it to the agent only.

Hold prompts are spoken by the call's own TTS and output like any reply (so recorded and
stored as agent turns with the prompt's intent), and never over the chime's notes:
AgentSide marks the pauses between notes (`chime_gap`), EscalationWatch releases a prompt
only in one, and AgentSide starts no new note until the prompt's audio has arrived.
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
    InputDTMFFrame,
    OutputAudioRawFrame,
    StartFrame,
    TTSAudioRawFrame,
    TTSStoppedFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from dialog.types import Reply, Session
from voice.frames import AgentSayFrame
from voice.media.audio import StreamResampler, To16kPcm
from voice.media.pacing import PlayoutClock
from voice.mixer import FRAME_SAMPLES, RATE_HZ, Mixer
from voice.processors.normalize import pipeline_pcm

log = logging.getLogger(__name__)
STALL_RESYNC_S = 1.0  # the loop stalled this long: restart the clock rather than burst
LIVE_BACKLOG_S = 0.2  # the output is this far behind the live mix: let the mixer drop instead
HOLD_FALLBACK_S = 10.0  # start hold music even if the transfer message never finished
CHIME_NOTES_S = 0.6  # the chime's notes fill the first 0.55 s of each period; the rest is a pause
PROMPT_SYNTH_MAX_S = 5.0  # after releasing a prompt, hold the next note this long for its audio
EscalateHook = Callable[[Any], Awaitable[None]]
Backlog = Callable[[], float]
HoldKeyHook = Callable[[str], bool]  # a key pressed on hold -> True when it was taken


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
        self.hold_prompts: asyncio.Queue[Reply] = asyncio.Queue()  # for the waiting caller
        self.chime_gap = asyncio.Event()  # on hold, nothing playing, the chime between notes
        self.prompt_due_by = 0.0  # monotonic: a released prompt's audio is expected by then
        self.letting_go = False  # a last message, then the call ends: no more AI, no chime
        self.on_hold_key: HoldKeyHook | None = None

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

    def say_on_hold(self, reply: Reply, *, last: bool = False) -> None:
        """Speak `reply.text` to the caller waiting on hold, through the call's own TTS, in
        the next pause of the chime. `last`: the call's last words (e.g. a callback is
        booked): from now on the AI is not heard and the chime stops."""
        if last:
            self.letting_go = True
        self.hold_prompts.put_nowait(reply)

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
        elif isinstance(frame, InputDTMFFrame) and self._held_key(str(frame.button.value)):
            return
        await self.push_frame(frame, direction)

    def _held_key(self, digit: str) -> bool:
        hook = self._bridge.on_hold_key
        return self._bridge.mode is BridgeMode.HOLD and hook is not None and hook(digit)


class EscalationWatch(FrameProcessor):
    def __init__(self, bridge: CallBridge, session: Session | None = None) -> None:
        super().__init__(name=f"bridge-watch[{bridge.call_id[:8]}]")
        self._bridge = bridge
        self._session = session
        self._task: asyncio.Task[None] | None = None
        self._prompts: asyncio.Task[None] | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame) and self._prompts is None:
            self._prompts = self.create_task(self._speak_prompts(), name="hold-prompts")
        if isinstance(frame, AgentSayFrame):
            if self._bridge.mode is BridgeMode.HUMAN or self._bridge.letting_go:
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

    async def _speak_prompts(self) -> None:
        """Hand each hold prompt to TTS in a pause of the chime (dropped once a person has
        the call)."""
        bridge = self._bridge
        while True:
            reply = await bridge.hold_prompts.get()
            await bridge.chime_gap.wait()
            if bridge.mode is BridgeMode.HOLD:
                bridge.prompt_due_by = time.monotonic() + PROMPT_SYNTH_MAX_S
                await self.push_frame(AgentSayFrame(text=reply.text, reply=reply))

    async def cleanup(self) -> None:
        for task in (self._task, self._prompts):
            if task is not None and not task.done():
                await self.cancel_task(task)
        await super().cleanup()


def _unknown_backlog() -> float:
    return 0.0


class AgentSide(FrameProcessor):
    def __init__(self, bridge: CallBridge, backlog_s: Backlog = _unknown_backlog) -> None:
        super().__init__(name=f"bridge-agent[{bridge.call_id[:8]}]")
        self._bridge = bridge
        self._backlog_s = backlog_s
        self.held_back = 0  # ticks the output was too far behind to take live audio
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
        self._bridge.prompt_due_by = 0.0  # speech has arrived: the chime waits for it to play
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
                if self._backlog_s() > LIVE_BACKLOG_S:
                    self.held_back += 1
                    continue  # the mixer keeps at most LIVE_CAP_S: the oldest goes
                pcm = self._bridge.mixer.pull("caller")
                if pcm is not None:
                    await self.push_frame(TTSAudioRawFrame(audio=self._out(pcm), sample_rate=self._out_rate_hz,
                                                           num_channels=1))
            elif mode is BridgeMode.HOLD and self._bridge.hold_ready():
                if not self._hold_gap():
                    continue  # speech is playing (or a prompt is due): no chime under it
                tone = hold_tone(self._hold_sample, FRAME_SAMPLES, self._bridge.hold_period_s)
                self._hold_sample += FRAME_SAMPLES
                await self.push_frame(OutputAudioRawFrame(audio=self._out(tone), sample_rate=self._out_rate_hz,
                                                          num_channels=1))
            else:
                self._bridge.chime_gap.clear()

    def _hold_gap(self) -> bool:
        """Mark whether a prompt may start now (`chime_gap`); True when the chime may go on."""
        bridge = self._bridge
        now = time.monotonic()
        period = int(bridge.hold_period_s * RATE_HZ)
        phase_s = (self._hold_sample % period) / RATE_HZ
        quiet = now >= self._queued_until
        if quiet and (bridge.letting_go or phase_s >= CHIME_NOTES_S):
            bridge.chime_gap.set()
        else:
            bridge.chime_gap.clear()
        starting_note = phase_s < FRAME_SAMPLES / RATE_HZ
        return quiet and not bridge.letting_go and not (starting_note and now < bridge.prompt_due_by)

    def _out(self, pcm: np.ndarray) -> bytes:
        if self._upsampler is None or self._upsampler.out_rate_hz != self._out_rate_hz:
            self._upsampler = StreamResampler(RATE_HZ, self._out_rate_hz)
        audio = self._upsampler.process(pcm.astype(np.float32) / 32768)
        return (np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes()

    async def cleanup(self) -> None:
        if self._loop is not None and not self._loop.done():
            await self.cancel_task(self._loop)
        await super().cleanup()
