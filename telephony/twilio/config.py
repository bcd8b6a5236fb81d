"""Settings of the Twilio adapter (a `[twilio]` section of config.toml, once wired in).

Until `HotlineConfig` grows a `twilio` field, `twilio_config(cfg)` returns these
defaults, so the adapter works with the server's `public_url` alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TwilioConfig:
    auth_token_env: str = "TWILIO_AUTH_TOKEN"  # env var holding the account's Auth Token
    voice_path: str = "/twilio/voice"  # POST: incoming-call webhook -> TwiML
    status_path: str = "/twilio/status"  # POST: call status callback
    media_path: str = "/twilio/media"  # websocket: bidirectional Media Streams
    stream_token_ttl_secs: float = 120.0  # webhook -> stream `start` must happen within this
    start_timeout_secs: float = 10.0  # socket open -> `start` frame
    playout_lead_ms: int = 40  # agent audio sent this far ahead of real time (network slack)
    max_bad_frames: int = 500  # malformed frames tolerated per call before closing the socket

    def auth_token(self, env: dict[str, str] | None = None) -> str:
        """The Auth Token, read when needed (never at import); "" when unset."""
        source = os.environ if env is None else env
        return source.get(self.auth_token_env, "")


def twilio_config(cfg: Any) -> TwilioConfig:
    """The `[twilio]` section of a HotlineConfig, or the defaults while it has none."""
    section = getattr(cfg, "twilio", None)
    return section if isinstance(section, TwilioConfig) else TwilioConfig()
