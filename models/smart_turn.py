"""Smart Turn v3 end-of-turn model (ONNX, shared by all calls; stateless per call)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from models.onnx import load_session

SAMPLE_RATE_HZ = 16000
WINDOW_S = 8


class SmartTurnModel:
    def __init__(self, path: Path, threads: int = 1) -> None:
        self._session = load_session(path, threads=threads)
        self.path = path

    def completion_probability(self, audio_16k: np.ndarray) -> float:
        """Probability that the caller finished their turn, from the last 8 s of audio."""
        from pipecat.audio.turn.smart_turn._whisper_features import (
            compute_whisper_log_mel_features,
        )

        samples = WINDOW_S * SAMPLE_RATE_HZ
        audio = np.asarray(audio_16k, dtype=np.float32)[-samples:]
        if len(audio) < samples:
            audio = np.pad(audio, (samples - len(audio), 0))
        mel = compute_whisper_log_mel_features(audio, do_normalize=True)
        out = self._session.run(None, {"input_features": mel[None].astype(np.float32)})
        return float(np.asarray(out[0]).reshape(-1)[0])
