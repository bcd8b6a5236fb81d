"""Voice-loop settings (parsed from [voice] in config.toml by telephony.core.config)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VoiceConfig:
    vad_threshold: float = 0.5  # Silero probability above which a window is speech
    vad_start_secs: float = 0.096  # voiced time before we say the caller started speaking
    speculate_secs: float = 0.064  # silence after which the transcript is prepared speculatively
    vad_stop_secs: float = 0.2  # silence before the turn may end
    turn_fallback_secs: float = 0.9  # silence after which the turn ends whatever the models say
    smart_turn_threshold: float = 0.5
    pre_roll_secs: float = 0.3  # audio kept from before speech onset
    max_turn_secs: float = 30.0
    barge_in: bool = True
    tts_cache_size: int = 256
    greeting: bool = True
