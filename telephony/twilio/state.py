"""Process-wide state of the Twilio adapter, kept on `app.state` (never a global)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.applications import Starlette

from telephony.twilio.config import TwilioConfig, twilio_config
from telephony.twilio.tokens import StreamTokens


@dataclass
class TwilioState:
    config: TwilioConfig
    public_url: str
    tokens: StreamTokens

    @property
    def auth_token(self) -> str:
        return self.config.auth_token()


def twilio_state(app: Starlette) -> TwilioState:
    state: TwilioState | None = getattr(app.state, "twilio", None)
    if state is None:
        cfg = app.state.config
        tw = twilio_config(cfg)
        state = TwilioState(config=tw, public_url=cfg.server.public_url,
                            tokens=StreamTokens(tw.stream_token_ttl_secs))
        app.state.twilio = state
    return state
