"""An absolute 20 ms clock for outbound audio, and statistics of how well it was kept.

Frame k of a talk spurt is due at `t0 + k * 20 ms - lead`: never computed from
the previous send, so lateness does not accumulate into drift. If sending falls
behind the play time of the next frame (the caller's buffer ran dry: TTS did not
keep up) the spurt restarts at "now" instead of bursting to catch up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

FRAME_MS = 20
FRAME_S = FRAME_MS / 1000
FRAME_BYTES = 160  # 20 ms of 8 kHz mu-law
MAX_SAMPLES = 90_000  # 30 minutes of frames kept for statistics


class PlayoutClock:
    def __init__(self, lead_ms: int) -> None:
        self.lead_ms = lead_ms
        self._t0: float | None = None
        self._k = 0
        self.spurts = 0

    def due(self, now: float) -> float:
        """When the next frame should be sent."""
        if self._t0 is None or now > self._t0 + self._k * FRAME_S:
            self._t0, self._k = now, 0
            self.spurts += 1
        return self._t0 + max(0, self._k * FRAME_MS - self.lead_ms) / 1000

    def sent(self) -> None:
        self._k += 1

    @property
    def in_lead(self) -> bool:
        """The next frame is part of the spurt's lead-in (sent without waiting)."""
        return self._k * FRAME_MS <= self.lead_ms

    @property
    def play_end(self) -> float:
        """When the audio sent so far finishes playing at the caller (0 when idle)."""
        return 0.0 if self._t0 is None else self._t0 + self._k * FRAME_S

    def reset(self) -> None:
        self._t0, self._k = None, 0


@dataclass
class SendStats:
    """Send instants of media frames, for jitter figures (bounded)."""

    lateness_s: list[float] = field(default_factory=list)  # actual - due
    intervals_s: list[float] = field(default_factory=list)  # between paced frames of a spurt
    frames: int = 0
    _last: float | None = None

    def record(self, due: float, actual: float, paced: bool) -> None:
        self.frames += 1
        if len(self.lateness_s) < MAX_SAMPLES:
            self.lateness_s.append(actual - due)
            if paced and self._last is not None:
                self.intervals_s.append(actual - self._last)
        self._last = actual

    def spurt_ended(self) -> None:
        self._last = None

    def summary(self) -> dict[str, float | int]:
        out: dict[str, float | int] = {"frames": self.frames, "intervals": len(self.intervals_s)}
        for name, values in (("late", self.lateness_s), ("interval", self.intervals_s)):
            if values:
                arr = np.asarray(values) * 1000
                out[f"{name}_p50_ms"] = round(float(np.percentile(arr, 50)), 3)
                out[f"{name}_p99_ms"] = round(float(np.percentile(arr, 99)), 3)
                out[f"{name}_max_ms"] = round(float(arr.max()), 3)
        if self.intervals_s:
            dev = np.abs(np.asarray(self.intervals_s) - FRAME_S) * 1000
            out["jitter_p50_ms"] = round(float(np.percentile(dev, 50)), 3)
            out["jitter_p99_ms"] = round(float(np.percentile(dev, 99)), 3)
            out["jitter_max_ms"] = round(float(dev.max()), 3)
        return out
