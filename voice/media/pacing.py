"""The one absolute 20 ms clock for outbound audio, and statistics of how well it was kept.

Frame k of a run is due at `t0 + k * 20 ms - lead`: never computed from the previous send,
so lateness does not accumulate into drift. Every paced sender uses this clock (the SIP RTP
sender, the Twilio playout, the human-agent bridge's loop); they differ only in what they
do when they fall behind:
  - restart (`restart_after_s`): once more than that late against the next frame's play
    time, the run restarts at "now" instead of bursting to catch up. Twilio talk spurts use
    0 (the caller's buffer ran dry: TTS did not keep up); the bridge loop uses 1 s.
  - skip (`skip_late`): a continuous stream (RTP) keeps its phase and skips the whole
    slots it missed after a stall, so its timestamps stay true to the wall clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

FRAME_MS = 20
FRAME_S = FRAME_MS / 1000
FRAME_BYTES = 160  # 20 ms of 8 kHz mu-law
MAX_SAMPLES = 90_000  # 30 minutes of frames kept for statistics


class PlayoutClock:
    def __init__(self, lead_ms: int = 0, *, restart_after_s: float = 0.0) -> None:
        self.lead_ms = lead_ms
        self.restart_after_s = restart_after_s  # math.inf: never restart (use skip_late)
        self._t0: float | None = None
        self._k = 0
        self.spurts = 0

    def due(self, now: float) -> float:
        """When the next frame should be sent (starts a run, or restarts a late one)."""
        if self._t0 is None or now > self._t0 + self._k * FRAME_S + self.restart_after_s:
            self._t0, self._k = now, 0
            self.spurts += 1
        return self.next_due

    @property
    def next_due(self) -> float:
        t0 = 0.0 if self._t0 is None else self._t0
        return t0 + max(0, self._k * FRAME_MS - self.lead_ms) / 1000

    def sent(self) -> None:
        self._k += 1

    def skip_late(self, now: float, stall_s: float) -> int:
        """More than `stall_s` behind the next frame's slot: skip the slots missed (whole
        frames, the phase kept) and return how many; 0 when on time."""
        late = now - self.next_due
        if self._t0 is None or late <= stall_s:
            return 0
        skipped = int(late * 1000 // FRAME_MS)
        self._k += skipped
        return skipped

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


NEVER_RESTART = math.inf


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
