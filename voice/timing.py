"""Per-turn latency bookkeeping (monotonic seconds)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TurnTiming:
    speech_start: float = 0.0  # wall clock when the caller's speech was detected
    speech_end: float = 0.0  # wall clock when the last voiced window arrived
    committed: float = 0.0  # turn declared over
    stt_s: float = 0.0
    smart_turn_p: float | None = None
    end_reason: str = ""  # smart_turn | transcript | fallback | max_length
    dialog_s: float = 0.0
    tts_first_s: float = 0.0
    first_audio: float = 0.0  # wall clock of the first agent audio pushed to the transport

    def as_dict(self) -> dict[str, float | str | None]:
        def ms(x: float) -> float:
            return round(x * 1000, 1)

        out: dict[str, float | str | None] = {
            "stt_ms": ms(self.stt_s),
            "dialog_ms": ms(self.dialog_s),
            "tts_first_ms": ms(self.tts_first_s),
            "smart_turn_p": None if self.smart_turn_p is None else round(self.smart_turn_p, 3),
            "end_reason": self.end_reason,
        }
        if self.speech_end and self.committed:
            out["endpoint_ms"] = ms(self.committed - self.speech_end)
        if self.speech_end and self.first_audio:
            out["speech_end_to_first_audio_ms"] = ms(self.first_audio - self.speech_end)
        return out
