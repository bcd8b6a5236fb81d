"""PCM helpers: int16 <-> float32, streaming resampling to the 16 kHz pipeline rate."""

from __future__ import annotations

import numpy as np

PIPELINE_RATE_HZ = 16000


def pcm16_to_float(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0


def float_to_pcm16(audio: np.ndarray) -> bytes:
    clipped = np.clip(audio, -1.0, 1.0)
    return (clipped * 32767.0).astype(np.int16).tobytes()


def downmix(pcm: bytes, channels: int) -> bytes:
    if channels == 1:
        return pcm
    samples = np.frombuffer(pcm, dtype=np.int16).reshape(-1, channels)
    return samples.mean(axis=1).astype(np.int16).tobytes()


class StreamResampler:
    """Stateful resampler (soxr) from one input rate to 16 kHz; one per call."""

    def __init__(self, in_rate_hz: int, out_rate_hz: int = PIPELINE_RATE_HZ) -> None:
        import soxr

        self.in_rate_hz = in_rate_hz
        self.out_rate_hz = out_rate_hz
        self._stream = (
            None if in_rate_hz == out_rate_hz
            else soxr.ResampleStream(in_rate_hz, out_rate_hz, 1, dtype="float32", quality="HQ")
        )

    def process(self, audio: np.ndarray, last: bool = False) -> np.ndarray:
        if self._stream is None:
            return audio.astype(np.float32, copy=False)
        return self._stream.resample_chunk(audio.astype(np.float32, copy=False), last=last)


def resample(audio: np.ndarray, in_rate_hz: int, out_rate_hz: int) -> np.ndarray:
    import soxr

    if in_rate_hz == out_rate_hz:
        return audio.astype(np.float32, copy=False)
    return soxr.resample(audio.astype(np.float32), in_rate_hz, out_rate_hz, quality="HQ")


class To16kPcm:
    """Frames of any rate and channel count -> int16 mono at 16 kHz (one stateful resampler
    per audio stream; a change of input rate starts a new one)."""

    def __init__(self) -> None:
        self._resampler: StreamResampler | None = None

    def __call__(self, pcm: bytes, rate_hz: int, channels: int = 1) -> np.ndarray:
        if self._resampler is None or self._resampler.in_rate_hz != rate_hz:
            self._resampler = StreamResampler(rate_hz, PIPELINE_RATE_HZ)
        audio = self._resampler.process(pcm16_to_float(downmix(pcm, channels)))
        return (np.clip(audio, -1, 1) * 32767).astype(np.int16)
