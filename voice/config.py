"""Voice-loop settings (parsed from [voice] in config.toml by telephony.core.config)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VoiceConfig:
    vad_threshold: float = 0.5  # Silero probability above which a window is speech
    vad_start_secs: float = 0.096  # voiced time before we say the caller started speaking
    speculate_secs: float = 0.064  # silence after which the transcript is prepared speculatively
    vad_stop_secs: float = 0.2  # silence before the turn may end
    hold_secs: float = 1.2  # silence a pause needs when the words could go on (voice/endpoint.py)
    turn_fallback_secs: float = 1.6  # digits being dictated wait this; the bound whatever the models say
    smart_turn_threshold: float = 0.5  # below it, a complete-looking sentence is doubted
    smart_turn_sure: float = 0.95  # at or above it, a short complete turn ends without waiting
    resume_secs: float = 1.5  # caller speech this soon after their turn, over its reply, continues it
    pre_roll_secs: float = 0.3  # audio kept from before speech onset
    max_turn_secs: float = 30.0
    barge_in: bool = True
    tts_cache_size: int = 256
    greeting: bool = True
