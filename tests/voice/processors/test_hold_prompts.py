"""Hold prompts through the real pipeline pieces (EscalationWatch -> Piper TTS -> AgentSide):
what telephony asks to say to a waiting caller is spoken in a pause of the hold chime, never
over its notes, the chime waits while it plays, and Whisper hears it; a caller's last words
silence the AI and the chime; a key telephony takes on hold never reaches the dialog."""

from __future__ import annotations

import time

import numpy as np
from pipecat.audio.dtmf.types import KeypadEntry
from pipecat.frames.frames import (
    Frame,
    InputDTMFFrame,
    OutputAudioRawFrame,
    TTSAudioRawFrame,
    TTSStartedFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.tests.utils import SleepFrame

from dialog.types import Reply, Session
from tests.voice.processors.harness import frames_through
from voice.context import CallContext
from voice.filecall import TurnCollector
from voice.frames import AgentSayFrame
from voice.media.audio import resample
from voice.processors.bridge import (
    CHIME_NOTES_S,
    AgentSide,
    CallBridge,
    CallerSide,
    EscalationWatch,
)
from voice.processors.tts import SpeechCache, TTSProcessor

POSITION = Reply(text="You're number 2 in line.", intent="queue_position", confidence=1.0)
GOODBYE = Reply(text="Thank you. Goodbye.", intent="callback_confirmed", confidence=1.0)
ANSWER = Reply(text="Returns are free within thirty days.", intent="returns")
PERIOD_S = 2.0


class Clocked(FrameProcessor):
    """Passes everything on, noting when each downstream frame went by."""

    def __init__(self) -> None:
        super().__init__(enable_direct_mode=True)
        self.seen: list[tuple[float, Frame]] = []

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if direction is FrameDirection.DOWNSTREAM:
            self.seen.append((time.monotonic(), frame))
        await self.push_frame(frame, direction)


def on_hold(services, name: str):  # type: ignore[no-untyped-def]
    bridge = CallBridge(name, hold_period_s=PERIOD_S)
    bridge.to_hold()
    bridge.transfer_spoken = True  # the transfer message has played: the chime is due
    reports = TurnCollector()
    ctx = CallContext(call_id=name, services=services.voice, observer=reports)
    clock = Clocked()
    pipeline = Pipeline([EscalationWatch(bridge, Session(call_id=name)),
                         TTSProcessor(ctx, SpeechCache(services.models.tts, 0)), AgentSide(bridge), clock])
    return pipeline, bridge, reports, clock


def chime_loud(frame: OutputAudioRawFrame) -> bool:
    pcm = np.frombuffer(frame.audio, dtype=np.int16)
    return bool(np.abs(pcm).max() > 200)


async def test_a_hold_prompt_plays_between_the_chimes_notes_and_is_heard(services) -> None:  # type: ignore[no-untyped-def]
    pipeline, bridge, reports, clock = on_hold(services, "hold-prompt")
    bridge.say_on_hold(POSITION)
    await frames_through(pipeline, [SleepFrame(4.5)])
    seen = clock.seen
    start = next(i for i, (_, f) in enumerate(seen) if isinstance(f, TTSStartedFrame))
    chime_before = [f for _, f in seen[:start] if type(f) is OutputAudioRawFrame]
    released_at_s = len(chime_before) * 0.02  # of chime played when the prompt went to TTS
    assert released_at_s % PERIOD_S >= CHIME_NOTES_S - 0.02, "the prompt was released during the notes"
    assert chime_loud(chime_before[0]), "no chime before the prompt"
    speech = [(t, f) for t, f in seen if isinstance(f, TTSAudioRawFrame)]
    spoken_s = sum(len(f.audio) / 2 / f.sample_rate for _, f in speech)
    speech_at = speech[0][0]
    chime = [(t, f) for t, f in seen if type(f) is OutputAudioRawFrame]
    last_before = [f for t, f in chime if t < speech_at][-1]
    assert not chime_loud(last_before), "the prompt cut into a note"
    under = [t for t, _ in chime if speech_at < t < speech_at + spoken_s - 0.1]
    assert under == [], "the chime played under the prompt"
    assert any(t >= speech_at + spoken_s - 0.1 for t, _ in chime), "the chime never came back"
    rate = speech[0][1].sample_rate
    audio = np.concatenate([np.frombuffer(f.audio, dtype=np.int16) for _, f in speech])
    heard = services.models.stt.transcribe(resample(audio.astype(np.float32) / 32768, rate, 16000)).text
    assert "line" in heard.lower(), heard
    [turn] = reports.turns
    assert (turn.speaker, turn.meta["intent"]) == ("agent", "queue_position")


async def test_last_words_silence_the_ai_and_the_chime(services) -> None:  # type: ignore[no-untyped-def]
    pipeline, bridge, reports, clock = on_hold(services, "hold-last")
    bridge.say_on_hold(GOODBYE, last=True)
    frames = [SleepFrame(0.5), AgentSayFrame(text=ANSWER.text, reply=ANSWER), SleepFrame(3.0)]
    await frames_through(pipeline, frames)
    assert [t.text for t in reports.turns] == [GOODBYE.text]  # the AI's answer was dropped
    chimes = [f for _, f in clock.seen if type(f) is OutputAudioRawFrame]
    assert chimes == [], "the chime played after the caller's last words"


async def test_a_key_taken_on_hold_never_reaches_the_dialog() -> None:
    bridge = CallBridge("hold-key")
    taken: list[str] = []

    def take(digit: str) -> bool:
        taken.append(digit)
        return digit == "1"

    bridge.on_hold_key = take
    keys = [InputDTMFFrame(button=KeypadEntry.ONE), InputDTMFFrame(button=KeypadEntry.TWO)]
    down, _ = await frames_through(CallerSide(bridge), [*keys, SleepFrame(0.1)])
    assert [f.button.value for f in down if isinstance(f, InputDTMFFrame)] == ["1", "2"]  # not on hold
    assert taken == []
    bridge.to_hold()
    down, _ = await frames_through(CallerSide(bridge), [*keys, SleepFrame(0.1)])
    assert [f.button.value for f in down if isinstance(f, InputDTMFFrame)] == ["2"]
    assert taken == ["1", "2"]
