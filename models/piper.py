"""Piper text-to-speech, loaded once; synthesis is synchronous (run it in a thread)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from models.errors import ModelLoadError

log = logging.getLogger(__name__)


class PiperTTS:
    def __init__(self, voice_path: Path) -> None:
        try:
            from piper import PiperVoice
        except ImportError as e:  # pragma: no cover
            raise ModelLoadError("piper-tts is not installed: pip install piper-tts") from e
        try:
            self._voice = PiperVoice.load(str(voice_path))
        except Exception as e:
            raise ModelLoadError(f"could not load Piper voice {voice_path}: {e}") from e
        self.sample_rate_hz: int = int(self._voice.config.sample_rate)
        self.voice_path = voice_path

    def synthesize(self, text: str) -> np.ndarray:
        """Return int16 mono audio at `sample_rate_hz` for one sentence or clause."""
        chunks = [c.audio_int16_array for c in self._voice.synthesize(text)]
        if not chunks:
            return np.zeros(0, dtype=np.int16)
        return np.concatenate(chunks).astype(np.int16, copy=False)

    def warm_up(self) -> None:
        self.synthesize("Hello.")
