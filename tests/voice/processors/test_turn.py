"""TurnProcessor, frames in and out: real speech at 16 kHz mono through Silero, Smart Turn
and Whisper (the input the transports' normalizer hands it)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    InterruptionFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
)

from telephony.server.audiofile import read_mono
from tests.voice.processors.harness import audio_frames, frames_through, kinds
from voice.context import CallContext
from voice.filecall import TurnCollector
from voice.frames import UserTurnFrame
from voice.processors.turn import TurnProcessor

CLIP = "speech/speechbrain/spk1_snt1.wav"  # "the child almost hurt the small dog", 16 kHz mono


def turn_taker(services, name: str) -> tuple[TurnProcessor, TurnCollector]:  # type: ignore[no-untyped-def]
    reports = TurnCollector()
    return TurnProcessor(CallContext(call_id=name, services=services.voice, observer=reports)), reports


def caller_says(testdata: Path) -> np.ndarray:
    audio, rate = read_mono(testdata / CLIP)
    assert rate == 16000
    quiet = np.zeros(8000, dtype=np.float32)
    return np.concatenate([quiet, audio, np.zeros(32000, dtype=np.float32)])  # then 2 s of silence


async def test_speech_becomes_one_user_turn_with_its_words(services, testdata: Path) -> None:  # type: ignore[no-untyped-def]
    processor, reports = turn_taker(services, "turn-speech")
    down, up = await frames_through(processor, audio_frames(caller_says(testdata)), until=UserTurnFrame)
    assert kinds(down) == [UserStartedSpeakingFrame, UserStoppedSpeakingFrame, UserTurnFrame]
    assert up == []  # the agent was silent: nothing to interrupt
    turn = down[-1]
    words = turn.text.lower()
    assert "child" in words and "dog" in words, turn.text
    assert turn.timing.stt_s > 0 and turn.timing.end_reason in {"transcript", "smart_turn", "fallback"}
    assert reports.turns == []  # the dialog processor records caller turns, not the turn taker


async def test_silence_and_faint_noise_are_not_a_turn(services) -> None:  # type: ignore[no-untyped-def]
    processor, reports = turn_taker(services, "turn-quiet")
    noise = np.random.default_rng(7).normal(0, 0.002, 16000 * 3).astype(np.float32)
    down, up = await frames_through(processor, audio_frames(noise))
    assert down == [] and up == [] and reports.events == []


async def test_caller_speech_while_the_agent_speaks_interrupts_it(services, testdata: Path) -> None:  # type: ignore[no-untyped-def]
    processor, reports = turn_taker(services, "turn-barge")
    frames = [BotStartedSpeakingFrame(), *audio_frames(caller_says(testdata))]
    down, up = await frames_through(processor, frames, until=UserTurnFrame)
    assert kinds(down) == [BotStartedSpeakingFrame, UserStartedSpeakingFrame, InterruptionFrame,
                           UserStoppedSpeakingFrame, UserTurnFrame]
    assert kinds(up) == [InterruptionFrame]  # to the dialog's side and the output alike
    assert ("barge_in", {}) in reports.events
    assert "dog" in down[-1].text.lower()
