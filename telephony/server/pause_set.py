"""The pause-laden test set, built at run time from pause_set.toml and the shared recordings.

Callers pause mid-utterance: reading a list, between a short command and its detail,
between digit groups, to hesitate, after a false start. Each utterance here is real speech
cut at word boundaries and joined again with such pauses (300-800 ms), and knows where the
caller is really done (`done_s`): agent audio before that point talked over the caller.
Nothing generated is committed; `write_wavs` puts the audio in a directory of the caller's
choosing (a temp dir) for tools that read files (streamdouble, sipp).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from telephony.server.audiofile import read_mono, write_wav
from voice.media.audio import resample

MANIFEST = Path(__file__).with_name("pause_set.toml")
RATE_HZ = 16000
LEAD_IN_S = 0.3  # quiet before the caller starts, as on a line that has just connected
NOISE_RMS = 0.0005  # the line's floor in the pauses (about -66 dBFS), never digital silence
TRIM_DB = -35.0  # a whole recording is trimmed to the frames within this of its peak
TRIM_MARGIN_S = 0.03
_RANGE = re.compile(r"^(?P<clip>\S+)(?: (?P<start>[\d.]+)-(?P<end>[\d.]*))?$")


class PauseSetError(Exception):
    pass


@dataclass(frozen=True)
class PauseUtterance:
    id: str
    kind: str  # command | midway | list | digits | hesitation | false_start
    text: str  # everything the caller says (the reference for WER)
    audio: np.ndarray  # float32 mono 16 kHz
    done_s: float  # where the caller is really done, seconds into `audio`
    pauses_s: tuple[float, ...]  # the pauses put in, in order

    @property
    def duration_s(self) -> float:
        return len(self.audio) / RATE_HZ


def load_pause_set(speech_dir: Path, manifest: Path = MANIFEST) -> list[PauseUtterance]:
    """Every utterance of the manifest, built from the recordings under `speech_dir`."""
    entries = tomllib.loads(manifest.read_text())["utterance"]
    fillers: dict[str, np.ndarray] = {}
    return [_build(entry, speech_dir, fillers) for entry in entries]


def write_wavs(utterances: list[PauseUtterance], directory: Path) -> dict[str, Path]:
    """16-bit 16 kHz WAV files named after the utterances, for tools that read files."""
    directory.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for utt in utterances:
        paths[utt.id] = directory / f"{utt.id}.wav"
        write_wav(paths[utt.id], (np.clip(utt.audio, -1, 1) * 32767).astype(np.int16), RATE_HZ)
    return paths


def _build(entry: dict[str, object], speech_dir: Path, fillers: dict[str, np.ndarray]) -> PauseUtterance:
    uid = str(entry["id"])
    rng = np.random.default_rng(sum(uid.encode()))
    pieces: list[np.ndarray] = [_quiet(LEAD_IN_S, rng)]
    pauses: list[float] = []
    peaks: list[float] = []
    filler_at: list[tuple[int, str]] = []
    for part in entry["parts"]:  # type: ignore[attr-defined]
        part = str(part)
        if part.startswith("pause "):
            pauses.append(int(part.split()[1]) / 1000)
            pieces.append(_quiet(pauses[-1], rng))
        elif part.startswith("filler "):
            filler_at.append((len(pieces), part.split(maxsplit=1)[1]))
            pieces.append(np.zeros(0, np.float32))
        else:
            speech = _clip(speech_dir, part)
            peaks.append(float(np.max(np.abs(speech))) if len(speech) else 0.0)
            pieces.append(speech)
    for index, word in filler_at:  # as loud as the caller's own speech
        said = fillers.get(word)
        if said is None:
            said = fillers[word] = _espeak(word)
        pieces[index] = said * (float(np.median(peaks)) / max(1e-6, float(np.max(np.abs(said)))))
    speech_end = sum(len(p) for p in pieces) / RATE_HZ
    pieces.append(_quiet(0.2, rng))
    return PauseUtterance(id=uid, kind=str(entry["kind"]), text=str(entry["text"]),
                          audio=np.concatenate(pieces).astype(np.float32), done_s=speech_end,
                          pauses_s=tuple(pauses))


def _quiet(seconds: float, rng: np.random.Generator) -> np.ndarray:
    return (rng.standard_normal(int(seconds * RATE_HZ)) * NOISE_RMS).astype(np.float32)


def _clip(speech_dir: Path, part: str) -> np.ndarray:
    m = _RANGE.match(part)
    if m is None:
        raise PauseSetError(f"cannot read part {part!r} (want 'CLIP', 'CLIP FROM-TO', 'pause MS')")
    audio, rate = read_mono(speech_dir / m["clip"])
    audio = resample(audio, rate, RATE_HZ)
    if m["start"] is None:
        return _trim(audio)
    start = int(float(m["start"]) * RATE_HZ)
    end = int(float(m["end"]) * RATE_HZ) if m["end"] else len(audio)
    return audio[start:end]


def _trim(audio: np.ndarray) -> np.ndarray:
    n = RATE_HZ // 100
    frames = len(audio) // n
    rms = np.sqrt(np.mean(audio[: frames * n].reshape(frames, n) ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(20 * np.log10(rms / rms.max()) > TRIM_DB)
    margin = int(TRIM_MARGIN_S * RATE_HZ)
    return audio[max(0, loud[0] * n - margin): min(len(audio), (loud[-1] + 1) * n + margin)]


def _espeak(word: str) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "filler.wav"
        try:
            subprocess.run(["espeak-ng", "-v", "en-us", "-s", "120", "-w", str(out), word],
                           check=True, timeout=30, capture_output=True)
        except (OSError, subprocess.SubprocessError) as e:
            raise PauseSetError(f"espeak-ng could not say the filler {word!r}: {e}") from e
        audio, rate = read_mono(out)
    return _trim(resample(audio, rate, RATE_HZ))
