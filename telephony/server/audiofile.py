"""Read any audio file (wav/flac/aiff/ogg, any rate, any channels) as float32 mono."""

from __future__ import annotations

from pathlib import Path

import numpy as np


class AudioFileError(Exception):
    pass


def read_mono(path: Path, channel: int | None = None) -> tuple[np.ndarray, int]:
    import soundfile as sf

    try:
        audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception as e:  # soundfile raises several types for bad files
        raise AudioFileError(f"cannot read audio file {path}: {e}") from e
    if audio.shape[0] == 0:
        raise AudioFileError(f"audio file {path} is empty")
    if channel is not None:
        if channel >= audio.shape[1]:
            raise AudioFileError(f"{path} has {audio.shape[1]} channel(s); no channel {channel}")
        return audio[:, channel].copy(), int(rate)
    return audio.mean(axis=1), int(rate)


def write_wav(path: Path, pcm16: np.ndarray, rate: int) -> None:
    import soundfile as sf

    sf.write(str(path), pcm16, rate, subtype="PCM_16")
