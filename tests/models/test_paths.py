"""Model location: packaged defaults resolve; bad paths give errors that say what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import paths
from models.config import ModelConfig
from models.errors import ModelLoadError, ModelNotFoundError
from models.piper import PiperTTS


def test_packaged_models_are_found() -> None:
    cfg = ModelConfig()
    assert (paths.whisper_dir(cfg) / "model.bin").is_file()
    assert paths.piper_voice(cfg).suffix == ".onnx"
    assert paths.silero_vad(cfg).is_file()
    assert paths.smart_turn(cfg).is_file()


def test_missing_whisper_dir_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match=r"whisper_dir.*HOTLINE_MODELS_WHISPER_DIR"):
        paths.whisper_dir(ModelConfig(whisper_dir=str(tmp_path / "nope")))


def test_a_dir_that_is_not_a_ctranslate2_model_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="model.bin"):
        paths.whisper_dir(ModelConfig(whisper_dir=str(tmp_path)))


def test_piper_voice_without_its_json_is_rejected(tmp_path: Path) -> None:
    onnx = tmp_path / "voice.onnx"
    onnx.write_bytes(b"\0" * 16)
    with pytest.raises(ModelNotFoundError, match=r"voice.onnx.json"):
        paths.piper_voice(ModelConfig(piper_voice=str(onnx)))


def test_corrupt_voice_gives_a_load_error(tmp_path: Path) -> None:
    onnx = tmp_path / "voice.onnx"
    onnx.write_bytes(b"not an onnx model")
    (tmp_path / "voice.onnx.json").write_text("{}")
    with pytest.raises(ModelLoadError, match="could not load Piper voice"):
        PiperTTS(onnx)
