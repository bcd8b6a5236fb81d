"""A call observer that keeps every event a call reports (turns are not kept), for tests
that check what a transport or the call control told the world."""

from __future__ import annotations

from typing import Any


class EventLog:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    async def on_turn(self, turn: Any) -> None:
        return None

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        self.events.append((kind, data))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [d for k, d in self.events if k == kind]
