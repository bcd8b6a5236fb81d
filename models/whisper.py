"""Whisper speech-to-text on CTranslate2, tuned for short conversational turns.

Whisper was trained on 30 s windows, and faster-whisper pads every clip to one:
on a 2-core CPU the tiny.en encoder then costs ~0.3-0.7 s even for a 2 s turn.
CTranslate2 accepts shorter mel windows, so we encode the turn plus a margin of
silence (the margin keeps the decoder from looping, which it does on an exact-length
window) and fall back to the full 30 s window when the output looks degenerate.
Greedy decoding at temperature 0, no fallback ladder. Thread-safe: one lock.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.errors import ModelLoadError

log = logging.getLogger(__name__)

SAMPLE_RATE_HZ = 16000
FRAMES_PER_SECOND = 100  # mel frames
FULL_WINDOW_FRAMES = 3000
MIN_WINDOW_FRAMES = 1000
MARGIN_FRAMES = 300
MAX_PROMPT_TOKENS = 223  # Whisper's text context is 448 tokens: a prompt gets half, less one


@dataclass(frozen=True)
class Transcript:
    text: str
    audio_s: float
    decode_s: float
    window_frames: int


class WhisperSTT:
    """Loaded once per process; `transcribe` is synchronous (call it from a thread)."""

    def __init__(self, model_dir: Path, *, compute_type: str = "int8", threads: int = 2,
                 language: str = "en") -> None:
        try:
            from faster_whisper import WhisperModel
            from faster_whisper.tokenizer import Tokenizer
        except ImportError as e:  # pragma: no cover - dependency missing
            raise ModelLoadError("faster-whisper is not installed: pip install faster-whisper") from e
        try:
            self._fw = WhisperModel(str(model_dir), device="cpu", compute_type=compute_type,
                                    cpu_threads=threads, num_workers=1)
        except Exception as e:
            raise ModelLoadError(f"could not load Whisper model from {model_dir}: {e}") from e
        self._model = self._fw.model
        self._tokenizer = Tokenizer(self._fw.hf_tokenizer, self._model.is_multilingual,
                                    task="transcribe", language=language)
        self._features = self._fw.feature_extractor
        self._lock = threading.Lock()
        self.model_dir = model_dir

    def warm_up(self) -> None:
        self.transcribe(np.zeros(SAMPLE_RATE_HZ // 2, dtype=np.float32))

    def transcribe(self, audio_16k: np.ndarray, prompt: str | None = None) -> Transcript:
        """Transcribe float32 mono 16 kHz audio in [-1, 1]. `prompt`: text the decoder takes
        as what was said before (Whisper's initial prompt / faster-whisper's `hotwords`),
        e.g. a dictated number when one is expected; it biases spelling and format."""
        started = time.perf_counter()
        audio = np.asarray(audio_16k, dtype=np.float32)
        audio_s = len(audio) / SAMPLE_RATE_HZ
        if len(audio) < SAMPLE_RATE_HZ // 10:
            return Transcript("", audio_s, 0.0, 0)
        mel = self._features(audio, padding=0)
        frames = mel.shape[-1]
        window = min(FULL_WINDOW_FRAMES, max(MIN_WINDOW_FRAMES, frames + MARGIN_FRAMES))
        with self._lock:
            text, degenerate, used = self._decode_window(mel, window, audio_s, prompt)
            if prompt and degenerate:
                # a prompt can start a loop ("1 1 1 1 ..."): the plain decode is the fallback
                log.debug("primed decode looked degenerate; decoding without the prompt")
                text, _, used = self._decode_window(mel, window, audio_s, None)
        return Transcript(_undoubled(text), audio_s, time.perf_counter() - started, used)

    def _decode_window(self, mel: np.ndarray, window: int, audio_s: float,
                       prompt: str | None) -> tuple[str, bool, int]:
        """Decode on the short window, and on the full 30 s one if that looked degenerate."""
        text, degenerate = self._decode(mel, window, audio_s, prompt)
        if degenerate and window < FULL_WINDOW_FRAMES:
            log.debug("short-window decode looked degenerate; retrying on 30 s window")
            window = FULL_WINDOW_FRAMES
            text, degenerate = self._decode(mel, window, audio_s, prompt)
        return text, degenerate, window

    def _decode(self, mel: np.ndarray, window: int, audio_s: float,
                prompt_text: str | None) -> tuple[str, bool]:
        import ctranslate2

        frames = min(mel.shape[-1], window)
        padded = np.zeros((mel.shape[0], window), dtype=np.float32)
        padded[:, :frames] = mel[:, :frames]
        features = ctranslate2.StorageView.from_array(padded[None])
        encoded = self._model.encode(features, to_cpu=False)
        max_tokens = int(min(440, 12 + audio_s * 8))
        prompt = self._prompt(prompt_text)
        result = self._model.generate(
            encoded, [prompt], beam_size=1, max_length=max_tokens + len(prompt),
            suppress_blank=True, suppress_tokens=[-1], return_scores=False,
        )[0]
        tokens = [t for t in result.sequences_ids[0] if t < self._tokenizer.eot]
        text = self._tokenizer.decode(tokens).strip()
        hit_limit = len(result.sequences_ids[0]) >= max_tokens
        return text, hit_limit or _looks_repetitive(text)


    def _prompt(self, text: str | None) -> list[int]:
        """<|startofprev|> text, then the usual start: how faster-whisper passes an
        initial prompt or hotwords (at most half the decoder's context)."""
        start = [*self._tokenizer.sot_sequence, self._tokenizer.no_timestamps]
        if not text or not text.strip():
            return start
        previous = self._tokenizer.encode(" " + text.strip())[-(MAX_PROMPT_TOKENS):]
        return [self._tokenizer.sot_prev, *previous, *start]


def _undoubled(text: str) -> str:
    """'It's 4 2 1 8 8. It's 4 2 1 8 8.' -> the first half: the decoder sometimes says a
    turn twice (more often when primed)."""
    words = text.split()
    half = len(words) // 2
    plain = [w.strip(".,!?").lower() for w in words]
    if half >= 2 and len(words) % 2 == 0 and plain[:half] == plain[half:]:
        return " ".join(words[:half])
    return text


def _looks_repetitive(text: str) -> bool:
    words = [w.strip(".,!?") for w in text.lower().split()]
    # a word of three characters or more said three times running ("82948. 82948. 82948.")
    if any(len(a) >= 3 and a == b == c for a, b, c in zip(words, words[1:], words[2:], strict=False)):
        return True
    if len(words) < 8:
        return False
    grams = [" ".join(words[i:i + 3]) for i in range(len(words) - 2)]
    return len(set(grams)) < 0.6 * len(grams)
