"""What the voice loop needs of each speech model: the seams, as protocols.

models/ loads the real ones (Whisper, Piper, Silero, Smart Turn) and imports nothing of
ours, so its classes satisfy these structurally; mypy checks that where the composition
root hands `models.loader.Models` to `VoiceServices` (telephony/server/services.py).
All calls are synchronous and CPU-bound: processors run them in a worker thread
(`asyncio.to_thread`), except VAD, which is a few microseconds per 32 ms window.
Audio is float32 mono at 16 kHz in [-1, 1] unless a name says otherwise.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Transcription(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def decode_s(self) -> float: ...


class SpeechToText(Protocol):
    def transcribe(self, audio_16k: np.ndarray, prompt: str | None = None, /) -> Transcription:
        """`prompt`: text to prime the recognizer with (the detail the agent asked for)."""


class TextToSpeech(Protocol):
    @property
    def sample_rate_hz(self) -> int: ...

    def synthesize(self, text: str, /) -> np.ndarray:
        """int16 mono at `sample_rate_hz` for one sentence or clause."""
        ...


class VADStream(Protocol):
    """One call's VAD state (weights are shared, recurrent state is not)."""

    def probability(self, window: np.ndarray, /) -> float:
        """Speech probability of one 512-sample (32 ms) window."""
        ...


class VoiceActivityModel(Protocol):
    def new_stream(self) -> VADStream: ...


class TurnModel(Protocol):
    def completion_probability(self, audio_16k: np.ndarray, /) -> float:
        """Probability that the caller has finished their turn."""
        ...


class SpeechModels(Protocol):
    """The four models one call uses, loaded once per process and shared by every call."""

    @property
    def stt(self) -> SpeechToText: ...

    @property
    def tts(self) -> TextToSpeech: ...

    @property
    def vad(self) -> VoiceActivityModel: ...

    @property
    def turn(self) -> TurnModel: ...
