"""What the voice loop reports about a call; telephony/ stores and broadcasts it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class TurnRecord:
    call_id: str
    speaker: str  # "caller" | "agent"
    text: str
    started_at: float  # unix seconds
    ended_at: float
    latency: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


class CallObserver(Protocol):
    async def on_turn(self, turn: TurnRecord) -> None: ...

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None: ...


class NullObserver:
    async def on_turn(self, turn: TurnRecord) -> None:
        return None

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        return None


class FanOutObserver:
    """Send every report to several observers (store, live UI, metrics)."""

    def __init__(self, *observers: CallObserver) -> None:
        self._observers = list(observers)

    def add(self, observer: CallObserver) -> None:
        self._observers.append(observer)

    async def on_turn(self, turn: TurnRecord) -> None:
        for obs in self._observers:
            await obs.on_turn(turn)

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        for obs in self._observers:
            await obs.on_event(call_id, kind, data)
