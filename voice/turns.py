"""Turn taking as a pure state machine over 16 kHz audio, clocked by samples.

The caller's audio goes in window by window; out come events: speech started
(barge-in point), pause (a candidate end of turn: decide now), stop reached (the
silence the verdict asked for has passed, `end_after`) and forced end (silence reached
the fallback bound). Deciding how much silence ends the turn needs models (Smart Turn,
the transcript) and lives in voice/endpoint.py and the processor. A turn taken too
early can be reopened: caller speech that starts soon after it (`reopen`) continues
it, and the next turn's audio holds both parts.
No wall clock here, so the same logic runs at real-time pace or faster.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from voice.config import VoiceConfig

WINDOW_SAMPLES = 512
RATE_HZ = 16000
WINDOW_S = WINDOW_SAMPLES / RATE_HZ
MAX_REOPEN_GAP_S = 0.5  # silence kept between the two parts of a reopened turn


class TurnEvent(enum.Enum):
    SPEECH_STARTED = "speech_started"
    SPEECH_RESUMED = "speech_resumed"
    PAUSE = "pause"  # a short silence: prepare the transcript and the end-of-turn verdict
    STOP_REACHED = "stop_reached"  # silence reached what the verdict asked (vad_stop_secs until told)
    FORCED_END = "forced_end"


class _State(enum.Enum):
    QUIET = 0
    SPEAKING = 1
    PAUSED = 2
    ENDED = 3  # forced end reported; waiting for finish()


@dataclass
class Utterance:
    """Audio of the caller's current turn and where it sits on the stream clock."""

    start_sample: int
    chunks: list[np.ndarray] = field(default_factory=list)
    last_voice_sample: int = 0

    def audio(self) -> np.ndarray:
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.float32)


class TurnTaker:
    def __init__(self, cfg: VoiceConfig) -> None:
        self._cfg = cfg
        self._start_windows = max(1, round(cfg.vad_start_secs / WINDOW_S))
        self._stop_windows = max(1, round(cfg.vad_stop_secs / WINDOW_S))
        self._speculate_windows = max(1, min(self._stop_windows, round(cfg.speculate_secs / WINDOW_S)))
        self._fallback_windows = max(self._stop_windows + 1, round(cfg.turn_fallback_secs / WINDOW_S))
        self._end_windows = self._stop_windows  # silence that ends this pause (end_after)
        self._max_windows = round(cfg.max_turn_secs / WINDOW_S)
        self._pre_roll: deque[np.ndarray] = deque(maxlen=max(1, round(cfg.pre_roll_secs / WINDOW_S)))
        self._state = _State.QUIET
        self._voiced_run = 0
        self._silent_run = 0
        self._sample = 0  # stream clock: samples seen so far
        self.utterance: Utterance | None = None
        self.forced_reason = ""
        self._previous: Utterance | None = None  # the last finished turn, until a new one starts

    @property
    def sample(self) -> int:
        return self._sample

    @property
    def in_turn(self) -> bool:
        return self._state is not _State.QUIET

    def push(self, window: np.ndarray, speech_prob: float, *, quick_start: bool = False) -> TurnEvent | None:
        """Feed one 512-sample window and its VAD probability. `quick_start`: one voiced
        window starts the caller's speech (while a reply is on its way but not yet heard)."""
        self._sample += len(window)
        voiced = speech_prob >= self._cfg.vad_threshold
        self._voiced_run = self._voiced_run + 1 if voiced else 0
        self._silent_run = 0 if voiced else self._silent_run + 1
        if self._state is _State.QUIET:
            self._pre_roll.append(window)
            if self._voiced_run >= (1 if quick_start else self._start_windows):
                start = self._sample - sum(len(w) for w in self._pre_roll)
                self.utterance = Utterance(start_sample=start, chunks=list(self._pre_roll),
                                           last_voice_sample=self._sample)
                self._pre_roll.clear()
                self._state = _State.SPEAKING
                self._end_windows = self._stop_windows
                return TurnEvent.SPEECH_STARTED
            return None
        if self._state is _State.ENDED:
            return None
        assert self.utterance is not None
        self.utterance.chunks.append(window)
        if voiced:
            self.utterance.last_voice_sample = self._sample
        if self._state is _State.PAUSED and self._voiced_run >= self._start_windows:
            self._state = _State.SPEAKING
            self._end_windows = self._stop_windows
            return TurnEvent.SPEECH_RESUMED
        if self._state is _State.SPEAKING and self._silent_run >= self._speculate_windows:
            self._state = _State.PAUSED
            return TurnEvent.PAUSE
        if self._state is _State.PAUSED and self._silent_run == self._end_windows:
            return TurnEvent.STOP_REACHED
        too_long = len(self.utterance.chunks) >= self._max_windows
        if (self._state is _State.PAUSED and self._silent_run >= self._fallback_windows) or too_long:
            self._state = _State.ENDED
            self.forced_reason = "max_length" if too_long else "fallback"
            return TurnEvent.FORCED_END
        return None

    def finish(self) -> Utterance | None:
        """End the current turn; return its audio (trailing silence trimmed)."""
        utt = self.utterance
        self.utterance = None
        self._state = _State.QUIET
        self._voiced_run = self._silent_run = 0
        if utt is not None:
            keep = utt.last_voice_sample - utt.start_sample + int(0.15 * RATE_HZ)
            audio = utt.audio()[:keep]
            utt.chunks = [audio]
        self._previous = utt
        return utt

    def end_after(self, silence_s: float) -> None:
        """This pause ends the turn once the silence has lasted `silence_s` (STOP_REACHED),
        within the fallback bound; a pause already longer than that waits no more."""
        windows = max(1, round(silence_s / WINDOW_S))
        self._end_windows = min(windows, self._fallback_windows)

    @property
    def silence_s(self) -> float:
        """How long the caller has been silent in the current turn."""
        return self._silent_run * WINDOW_S if self.in_turn else 0.0

    @property
    def spoken_s(self) -> float:
        """Length of the current turn so far, pauses included."""
        utt = self.utterance
        return (self._sample - utt.start_sample) / RATE_HZ if utt is not None else 0.0

    def reopen(self, within_s: float) -> Utterance | None:
        """Speech has just started: if the last turn ended less than `within_s` before it,
        this is that turn going on (the caller was not done). Its audio is put back in front
        of the new speech, so the turn now holds both parts; returns the reopened turn."""
        prev, utt = self._previous, self.utterance
        if prev is None or utt is None or self._state is not _State.SPEAKING:
            return None
        onset = self._sample - self._voiced_run * WINDOW_SAMPLES
        if onset - prev.last_voice_sample > within_s * RATE_HZ:
            return None
        if len(prev.chunks) and len(prev.audio()) >= self._max_windows * WINDOW_SAMPLES // 2:
            return None  # a turn cut for its length is not continued: answer it
        prev_audio = prev.audio()
        gap = utt.start_sample - (prev.start_sample + len(prev_audio))
        quiet = np.zeros(min(max(0, gap), int(MAX_REOPEN_GAP_S * RATE_HZ)), dtype=np.float32)
        utt.chunks = [prev_audio, quiet, *utt.chunks]
        utt.start_sample = prev.start_sample
        self._previous = None
        return prev

    def speech_end_sample(self) -> int:
        return self.utterance.last_voice_sample if self.utterance else self._sample
