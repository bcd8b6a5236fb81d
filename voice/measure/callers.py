"""Synthetic callers on a telephone line: espeak-ng and Piper voices, 8 kHz G.711 mu-law.

For measurements and voice tests only: a line is synthesized into a temporary folder,
put through the telephone path (`sox -r 8000 -c 1 -e u-law`, as a SIP/Twilio caller is
heard) and read back as float32 mono at 8 kHz. Nothing generated is kept.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

TELEPHONE_RATE_HZ = 8000


class Synthesizer(Protocol):
    def synthesize(self, text: str) -> np.ndarray: ...  # int16 mono at sample_rate_hz

    @property
    def sample_rate_hz(self) -> int: ...


@dataclass(frozen=True)
class Voice:
    """One caller voice: `espeak:<voice>[:<words per minute>]` or `piper` (the Piper model
    handed to `speak`)."""

    name: str

    @property
    def engine(self) -> str:
        return self.name.split(":", 1)[0]


ESPEAK_US = Voice("espeak:en-us:150")
ESPEAK_GB = Voice("espeak:en-gb-x-rp:165")
PIPER = Voice("piper")


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None and shutil.which("sox") is not None


def read_audio(path: Path) -> tuple[np.ndarray, int]:
    """Any file soundfile reads (wav, flac, mu-law wav) as float32 mono and its rate."""
    import soundfile as sf

    audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return audio.mean(axis=1), int(rate)


def _write(path: Path, pcm16: np.ndarray, rate_hz: int) -> None:
    import soundfile as sf

    sf.write(str(path), pcm16, rate_hz, subtype="PCM_16")


def telephone(audio: np.ndarray, rate_hz: int) -> np.ndarray:
    """float32 mono at any rate -> what the far end hears: 8 kHz mu-law, back to float32."""
    with tempfile.TemporaryDirectory(prefix="hotline-caller-") as tmp:
        src, line = Path(tmp) / "in.wav", Path(tmp) / "line.wav"
        _write(src, (np.clip(audio, -1, 1) * 32767).astype(np.int16), rate_hz)
        subprocess.run(["sox", str(src), "-r", str(TELEPHONE_RATE_HZ), "-c", "1", "-e", "u-law",
                        str(line)], check=True, timeout=60, capture_output=True)
        out, rate = read_audio(line)
    assert rate == TELEPHONE_RATE_HZ
    return out


def speak(text: str, voice: Voice, piper: Synthesizer | None = None) -> np.ndarray:
    """One caller line over the telephone path: float32 mono at 8 kHz."""
    if voice.engine == "piper":
        if piper is None:
            raise ValueError("a Piper voice needs the loaded Piper model (models.piper.PiperTTS)")
        pcm = piper.synthesize(text)
        return telephone(pcm.astype(np.float32) / 32768.0, piper.sample_rate_hz)
    _, name, *wpm = voice.name.split(":")
    with tempfile.TemporaryDirectory(prefix="hotline-caller-") as tmp:
        wav = Path(tmp) / "espeak.wav"
        subprocess.run(["espeak-ng", "-v", name, "-s", wpm[0] if wpm else "160", "-w", str(wav),
                        text], check=True, timeout=60, capture_output=True)
        audio, rate = read_audio(wav)
    return telephone(audio, rate)
