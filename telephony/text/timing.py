"""Message in to reply out, per channel: the time a customer waits for an answer.

Measured from the moment a channel took the message (the webhook request, the end of the
SMTP DATA) to the moment the first part of the reply left (accepted by Twilio's REST API,
by the SMTP relay); samples per channel, in milliseconds, for reports and tests.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field


@dataclass
class ReplyTimes:
    """Message in (webhook received) to first reply part out, per conversation and channel."""

    waiting: dict[str, float] = field(default_factory=dict)  # call_id -> monotonic time in
    ms: dict[str, list[float]] = field(default_factory=dict)  # channel -> samples

    def message_in(self, call_id: str) -> None:
        self.waiting.setdefault(call_id, time.monotonic())

    def reply_out(self, channel: str, call_id: str) -> None:
        started = self.waiting.pop(call_id, None)
        if started is not None:
            self.ms.setdefault(channel, []).append((time.monotonic() - started) * 1000)

    def summary(self, channel: str) -> dict[str, float]:
        """p50/p95 (ms) and how many replies were timed."""
        samples = sorted(self.ms.get(channel, []))
        if not samples:
            return {"replies": 0}
        cuts = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else samples * 99
        return {"replies": len(samples), "p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1)}
