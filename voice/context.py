"""Everything one call's processors share: identity, services, live state."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from dialog.types import DialogEngine, Session
from nlu.expect import Expect
from voice.config import VoiceConfig
from voice.events import CallObserver, NullObserver


@dataclass
class VoiceServices:
    """Process-wide, loaded once: models and the dialog engine. Shared by all calls."""

    models: Any  # models.loader.Models (kept Any: voice/ only needs its four members)
    engine: DialogEngine
    config: VoiceConfig


@dataclass
class CallContext:
    call_id: str
    services: VoiceServices
    channel: str = "webrtc"
    caller_id: str | None = None
    observer: CallObserver = field(default_factory=NullObserver)
    session: Session | None = None
    started_at: float = field(default_factory=time.time)
    # live state
    bot_speaking: bool = False
    reply_in_flight: bool = False
    agent_turns: int = 0
    caller_turns: int = 0
    # the detail the agent's last reply asked for (Reply.expect): the recognizer is primed
    # for it on the caller's next turn (voice.stt_hints)
    expect: Expect | None = None

    def __post_init__(self) -> None:
        if self.session is None:
            self.session = Session(call_id=self.call_id, channel=self.channel, caller_id=self.caller_id)

    async def event(self, kind: str, **data: Any) -> None:
        await self.observer.on_event(self.call_id, kind, data)
