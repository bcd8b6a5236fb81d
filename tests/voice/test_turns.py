"""Turn taking state machine, driven by synthetic VAD probabilities (no models)."""

from __future__ import annotations

import numpy as np

from voice.config import VoiceConfig
from voice.turns import WINDOW_S, TurnEvent, TurnTaker

W = np.zeros(512, dtype=np.float32)


def feed(tt: TurnTaker, probs: list[float]) -> list[tuple[int, TurnEvent]]:
    events = []
    for i, p in enumerate(probs):
        ev = tt.push(W + (0.1 if p > 0.5 else 0.0), p)
        if ev is not None:
            events.append((i, ev))
    return events


def windows(secs: float) -> int:
    return round(secs / WINDOW_S)


def test_speech_pause_and_fallback_follow_the_configured_timings() -> None:
    cfg = VoiceConfig(vad_start_secs=0.096, vad_stop_secs=0.2, turn_fallback_secs=0.9)
    tt = TurnTaker(cfg)
    speech = windows(1.0)
    events = feed(tt, [0.0] * 5 + [0.9] * speech + [0.0] * windows(1.2))
    kinds = [e for _, e in events]
    assert kinds == [TurnEvent.SPEECH_STARTED, TurnEvent.PAUSE, TurnEvent.STOP_REACHED,
                     TurnEvent.FORCED_END]
    start_i, pause_i, stop_i, end_i = (i for i, _ in events)
    assert start_i == 5 + windows(0.096) - 1
    assert pause_i - (5 + speech) + 1 == windows(cfg.speculate_secs)
    assert stop_i - (5 + speech) + 1 == windows(0.2)
    assert end_i - (5 + speech) + 1 == windows(0.9)


def test_short_noise_burst_is_not_speech() -> None:
    tt = TurnTaker(VoiceConfig(vad_start_secs=0.096))
    assert feed(tt, [0.0, 0.9, 0.9, 0.0, 0.0, 0.9, 0.0]) == []
    assert not tt.in_turn


def test_resumed_speech_after_a_pause_continues_the_same_turn() -> None:
    tt = TurnTaker(VoiceConfig())
    events = feed(tt, [0.9] * 20 + [0.0] * windows(0.3) + [0.9] * 20)
    assert [e for _, e in events] == [TurnEvent.SPEECH_STARTED, TurnEvent.PAUSE,
                                      TurnEvent.STOP_REACHED, TurnEvent.SPEECH_RESUMED]
    assert tt.in_turn


def test_finish_keeps_pre_roll_and_trims_trailing_silence() -> None:
    cfg = VoiceConfig(pre_roll_secs=0.3)
    tt = TurnTaker(cfg)
    feed(tt, [0.0] * 20 + [0.9] * 30 + [0.0] * windows(0.5))
    utt = tt.finish()
    assert utt is not None
    audio = utt.audio()
    voiced_samples = 30 * 512
    # pre-roll (<= 0.3 s) + speech + 0.15 s tail, never the whole 0.5 s of silence
    assert voiced_samples < len(audio) <= voiced_samples + int(0.3 * 16000) + 512 + int(0.15 * 16000)
    assert not tt.in_turn


def test_max_turn_length_forces_an_end() -> None:
    tt = TurnTaker(VoiceConfig(max_turn_secs=1.0))
    events = feed(tt, [0.9] * windows(2.0))
    assert [e for _, e in events] == [TurnEvent.SPEECH_STARTED, TurnEvent.FORCED_END]
    start_i, end_i = (i for i, _ in events)
    # pre-roll windows count toward the turn's length
    assert windows(0.9) <= end_i - start_i <= windows(1.0)


def test_a_verdict_moves_the_end_of_the_pause() -> None:
    cfg = VoiceConfig(vad_stop_secs=0.2, hold_secs=1.2, turn_fallback_secs=1.6)
    tt = TurnTaker(cfg)
    feed(tt, [0.9] * 30 + [0.0] * windows(0.3))
    assert abs(tt.silence_s - 0.3) < 0.04
    tt.end_after(cfg.hold_secs)  # "the words could go on": 1.2 s of silence, not 0.2
    events = feed(tt, [0.0] * windows(1.0))
    assert [e for _, e in events] == [TurnEvent.STOP_REACHED]
    assert events[0][0] == windows(1.2) - windows(0.3) - 1
    feed(tt, [0.9] * 10)  # the caller goes on: the next pause starts from vad_stop_secs again
    events = feed(tt, [0.0] * windows(0.3))
    assert [e for _, e in events] == [TurnEvent.PAUSE, TurnEvent.STOP_REACHED]
    assert events[1][0] == windows(0.2) - 1


def test_end_after_is_bounded_by_the_fallback() -> None:
    tt = TurnTaker(VoiceConfig(turn_fallback_secs=1.0))
    feed(tt, [0.9] * 30 + [0.0] * 3)
    tt.end_after(5.0)
    kinds = [e for _, e in feed(tt, [0.0] * windows(1.2))]
    assert kinds == [TurnEvent.STOP_REACHED, TurnEvent.FORCED_END]


def test_speech_soon_after_a_turn_reopens_it_with_both_parts() -> None:
    tt = TurnTaker(VoiceConfig())
    feed(tt, [0.0] * 5 + [0.9] * 30 + [0.0] * windows(0.3))
    first = tt.finish()
    assert first is not None
    first_len = len(first.audio())
    feed(tt, [0.0] * windows(0.4))
    events = feed(tt, [0.9] * 3)
    assert [e for _, e in events] == [TurnEvent.SPEECH_STARTED]
    assert tt.reopen(within_s=1.5) is first
    utt = tt.utterance
    assert utt is not None and utt.start_sample == first.start_sample
    # the first part, at most MAX_REOPEN_GAP_S of quiet, then the new speech with its pre-roll
    assert first_len + 3 * 512 < len(utt.audio()) <= first_len + int(0.5 * 16000) + int(0.3 * 16000) + 3 * 512
    assert tt.reopen(within_s=1.5) is None  # once


def test_speech_long_after_a_turn_is_a_new_turn() -> None:
    tt = TurnTaker(VoiceConfig())
    feed(tt, [0.9] * 30 + [0.0] * windows(0.3))
    tt.finish()
    feed(tt, [0.0] * windows(1.5))
    feed(tt, [0.9] * 3)
    assert tt.in_turn and tt.reopen(within_s=1.5) is None


def test_quick_start_takes_one_voiced_window() -> None:
    tt = TurnTaker(VoiceConfig(vad_start_secs=0.096))
    assert tt.push(W + 0.1, 0.9, quick_start=True) is TurnEvent.SPEECH_STARTED
    slow = TurnTaker(VoiceConfig(vad_start_secs=0.096))
    assert slow.push(W + 0.1, 0.9) is None
