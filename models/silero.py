"""Silero VAD: weights shared by every call, recurrent state per call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from models.onnx import load_session

WINDOW_SAMPLES = 512  # at 16 kHz: 32 ms
CONTEXT_SAMPLES = 64
SAMPLE_RATE_HZ = 16000


class SileroModel:
    def __init__(self, path: Path) -> None:
        self._session = load_session(path, threads=1)
        self.path = path

    def new_stream(self) -> SileroStream:
        return SileroStream(self._session)


class SileroStream:
    """Per-call VAD state. `probability` takes exactly 512 float32 samples at 16 kHz."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self._sr = np.array(SAMPLE_RATE_HZ, dtype=np.int64)
        self.reset()

    def reset(self) -> None:
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros((1, CONTEXT_SAMPLES), dtype=np.float32)

    def probability(self, window: np.ndarray) -> float:
        x = np.concatenate([self._context, window.reshape(1, -1).astype(np.float32)], axis=1)
        out, self._state = self._session.run(None, {"input": x, "state": self._state, "sr": self._sr})
        self._context = x[:, -CONTEXT_SAMPLES:]
        return float(out[0][0])
