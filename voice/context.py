"""Everything one call's processors share: identity, services, the dialog session, counters.

`CallContext` is the documented per-call object. What changes from moment to moment while
the call runs (is the agent speaking? is a reply on its way?) is not kept here: it travels
as frames (BotStarted/StoppedSpeakingFrame from the transport output, UserTurnFrame,
NothingToSayFrame, ReplySpokenFrame), read by the processors that need it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from dialog.types import DialogEngine, Session
from nlu.expect import Expect
from voice.config import VoiceConfig
from voice.events import CallObserver, NullObserver
from voice.speech_models import SpeechModels


@dataclass
class VoiceServices:
    """Process-wide, loaded once: models and the dialog engine. Shared by all calls."""

    models: SpeechModels  # models.loader.Models satisfies it
    engine: DialogEngine
    config: VoiceConfig


@dataclass
class CallContext:
    call_id: str
    services: VoiceServices
    channel: str = "webrtc"
    caller_id: str | None = None
    caller_verified: bool = False  # the entrance vouches for caller_id (Session.caller_verified)
    observer: CallObserver = field(default_factory=NullObserver)
    session: Session | None = None
    started_at: float = field(default_factory=time.time)
    agent_turns: int = 0
    caller_turns: int = 0
    # the detail the agent's last reply asked for (Reply.expect): the recognizer is primed
    # for it on the caller's next turn (voice.stt_hints)
    expect: Expect | None = None

    def __post_init__(self) -> None:
        if self.session is None:
            self.session = Session(call_id=self.call_id, channel=self.channel, caller_id=self.caller_id,
                                   caller_verified=self.caller_verified and self.caller_id is not None)

    async def event(self, kind: str, **data: Any) -> None:
        await self.observer.on_event(self.call_id, kind, data)
