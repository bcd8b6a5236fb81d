"""Load every model once at start-up, with progress, into one `Models` bundle."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from models import paths
from models.config import ModelConfig
from models.piper import PiperTTS
from models.silero import SileroModel
from models.smart_turn import SmartTurnModel
from models.whisper import WhisperSTT

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class Models:
    stt: WhisperSTT
    tts: PiperTTS
    vad: SileroModel
    turn: SmartTurnModel


def load_models(cfg: ModelConfig, progress: Progress | None = None) -> Models:
    """Synchronous; call from a worker thread when an event loop is running."""
    say = progress or log.info
    steps: list[tuple[str, Callable[[], object]]] = []
    loaded: dict[str, object] = {}

    def step(name: str, fn: Callable[[], object]) -> None:
        steps.append((name, fn))

    step("Silero VAD", lambda: SileroModel(paths.silero_vad(cfg)))
    step("Smart Turn v3", lambda: SmartTurnModel(paths.smart_turn(cfg)))
    step("Whisper STT", lambda: WhisperSTT(paths.whisper_dir(cfg), compute_type=cfg.whisper_compute_type,
                                           threads=cfg.whisper_threads, language=cfg.whisper_language))
    step("Piper TTS", lambda: PiperTTS(paths.piper_voice(cfg)))
    for i, (name, fn) in enumerate(steps, 1):
        started = time.perf_counter()
        say(f"[{i}/{len(steps)}] loading {name} ...")
        loaded[name] = fn()
        say(f"[{i}/{len(steps)}] {name} ready in {time.perf_counter() - started:.1f} s")
    models = Models(
        stt=loaded["Whisper STT"],  # type: ignore[arg-type]
        tts=loaded["Piper TTS"],  # type: ignore[arg-type]
        vad=loaded["Silero VAD"],  # type: ignore[arg-type]
        turn=loaded["Smart Turn v3"],  # type: ignore[arg-type]
    )
    models.stt.warm_up()
    models.tts.warm_up()
    return models
