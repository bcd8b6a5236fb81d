"""Barge-in with real models: a caller talking over the greeting stops it and is answered."""

from __future__ import annotations

from pathlib import Path

import pytest

from telephony.server.audiofile import read_mono
from telephony.server.bench import speech_onset_s
from voice.filecall import run_file_call


@pytest.mark.slow
async def test_caller_talking_over_the_greeting_cuts_it_and_gets_an_answer(
    services, testdata: Path
) -> None:  # type: ignore[no-untyped-def]
    audio, rate = read_mono(testdata / "speech/speechbrain/spk1_snt3.wav")
    result = await run_file_call(
        services.voice, services.speech_cache, audio, rate, talk_over_greeting_after_s=0.8
    )
    greeting = next(t for t in result.turns if t.speaker == "agent")
    caller = [t for t in result.turns if t.speaker == "caller"]
    assert caller, "the caller's words were lost"
    assert "air" in caller[0].text.lower()
    assert result.cut_times, "the greeting was never cut"
    onset = result.stream_started_at + speech_onset_s(audio, rate)
    cut = next(t for t in result.cut_times if t >= onset)
    played = cut - result.first_audio_times[0]
    print(
        f"barge-in: playout stopped {1000 * (cut - onset):.0f} ms after the caller began speaking; "
        f"greeting played {played:.2f} s of {greeting.meta['audio_s']:.2f} s"
    )
    # what the caller heard of the greeting is less than the whole greeting
    assert played < greeting.meta["audio_s"]
    # and the agent answered the caller after the interruption
    assert len([t for t in result.turns if t.speaker == "agent"]) >= 2


@pytest.mark.slow
async def test_caller_hanging_up_mid_turn_keeps_their_last_words(services, testdata: Path) -> None:  # type: ignore[no-untyped-def]
    audio, rate = read_mono(testdata / "speech/speechbrain/spk2_snt1.wav")
    cut = audio[: int(len(audio) * 0.9)]  # hang up before the sentence even ends
    result = await run_file_call(services.voice, services.speech_cache, cut, rate, greet=False,
                                 tail_silence_s=0.0)
    caller = [t for t in result.turns if t.speaker == "caller"]
    assert len(caller) == 1, result.turns
    assert caller[0].meta.get("unanswered") is True
    assert "sure" in caller[0].text.lower() and "war" in caller[0].text.lower()
