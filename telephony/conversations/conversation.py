"""A conversation with a customer, whatever the channel: what every channel shares.

A `Conversation` is one contact with a customer: its id, its channel (stored as the call's
`transport`: "sip", "twilio", "webrtc", "chat", ...), the customer's identity as the channel
knows it (`caller_id`: a phone number today; an e-mail address or a signed-in web user for
the text channels to come), when it started and ended, the dialog `Session` the brain keeps
for it, where its turns and events go (`observer`: the store and live subscribers behind the
registry's sinks and guards) and how it ended (`end_reason`; QA derives the outcome from it
and the turns, telephony/qa/facts.py).

A live voice call (`LiveCall`, telephony/conversations/registry.py) is a conversation plus
what audio adds: the voice context, the recorder and the human-handoff bridge. A text
conversation (telephony/text/) is a conversation alone: no audio object at all.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from dialog.types import Reply, Session
from voice.events import CallObserver, NullObserver, TurnRecord

EscalateHook = Callable[[Reply], Awaitable[None]]


@dataclass(kw_only=True, eq=False)
class Conversation:
    call_id: str
    transport: str  # the channel: "sip" | "twilio" | "webrtc" | "chat" | ...
    caller_id: str | None = None
    started_at: float = field(default_factory=time.time)
    ended_at: float | None = None
    end_reason: str | None = None
    observer: CallObserver = field(default_factory=NullObserver, repr=False)
    session: Session = field(init=False, repr=False)
    subscribers: set[asyncio.Queue[dict[str, Any]]] = field(default_factory=set, repr=False)
    # the one task working for the conversation (a call's pipeline, a text turn being
    # answered): hang-up and shutdown cancel it
    task: asyncio.Task[Any] | None = field(default=None, repr=False)
    # set by the contact-center room as the conversation opens (telephony/contact_center/handoff.py)
    on_escalate: EscalateHook | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.session = Session(call_id=self.call_id, channel=self.transport, caller_id=self.caller_id)

    @property
    def channel(self) -> str:
        return self.transport

    async def turn(self, record: TurnRecord) -> None:
        """Report one turn (stored, guarded, broadcast)."""
        await self.observer.on_turn(record)

    async def event(self, kind: str, **data: Any) -> None:
        """Report one event (stored, guarded, broadcast)."""
        await self.observer.on_event(self.call_id, kind, data)
