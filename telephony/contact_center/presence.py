"""Agent presence, kept alive by the agent desktops' heartbeats.

An agent's status is one of `available`, `busy`, `away` (chosen on the desktop, or set by
answering and wrapping up) or `offline` (no desktop open). Opening the desktop makes an
offline agent available; each open desktop sends a heartbeat every
`consoles.presence_heartbeat_s`; when none has come for `consoles.presence_timeout_s`
(the desktop was closed, the laptop slept, the network went) the agent goes offline, so
nobody counts on them and no caller is promised them. `since` is when the agent entered
the current status: the desktop and the wallboard show the time in state from it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class AgentStatus(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    AWAY = "away"
    OFFLINE = "offline"


CHOOSABLE = (AgentStatus.AVAILABLE, AgentStatus.BUSY, AgentStatus.AWAY)


@dataclass
class AgentPresence:
    agent: str
    status: AgentStatus = AgentStatus.OFFLINE
    since: float = 0.0  # wall-clock time the agent entered `status`
    seen: float = 0.0  # monotonic time of the last heartbeat (or desktop opened)
    desks: int = 0  # desktops open now

    def as_dict(self) -> dict[str, Any]:
        return {"agent": self.agent, "status": self.status.value, "since": self.since}


class Presence:
    def __init__(self, timeout_s: float, on_change: Callable[[AgentPresence], None]) -> None:
        self.timeout_s = timeout_s
        self._on_change = on_change
        self._agents: dict[str, AgentPresence] = {}

    def of(self, agent: str) -> AgentPresence:
        return self._agents.get(agent) or AgentPresence(agent)

    def everyone(self) -> list[AgentPresence]:
        return sorted(self._agents.values(), key=lambda p: p.agent)

    def anyone_available(self) -> bool:
        return any(p.status is AgentStatus.AVAILABLE for p in self._agents.values())

    def set(self, agent: str, status: str) -> AgentPresence:
        """The agent's own choice (or answering / wrap-up); offline is not a choice."""
        try:
            chosen = AgentStatus(status)
        except ValueError:
            chosen = AgentStatus.OFFLINE
        if chosen not in CHOOSABLE:
            raise ValueError(f"presence must be one of {', '.join(CHOOSABLE)}")
        return self._change(self._entry(agent), chosen)

    def desk_opened(self, agent: str, now: float | None = None) -> AgentPresence:
        entry = self._entry(agent)
        entry.desks += 1
        entry.seen = time.monotonic() if now is None else now
        if entry.status is AgentStatus.OFFLINE:
            self._change(entry, AgentStatus.AVAILABLE)  # signing in to the desktop: ready for calls
        return entry

    def heartbeat(self, agent: str, now: float | None = None) -> None:
        entry = self._entry(agent)
        entry.seen = time.monotonic() if now is None else now
        if entry.status is AgentStatus.OFFLINE:
            self._change(entry, AgentStatus.AVAILABLE)  # back after a timeout: the desktop is open

    def desk_closed(self, agent: str) -> None:
        """The desktop's socket closed; the timeout decides (a reload reconnects in time)."""
        entry = self._entry(agent)
        entry.desks = max(0, entry.desks - 1)

    def sweep(self, now: float | None = None) -> list[str]:
        """Take agents whose desktops fell silent offline; returns who went."""
        now = time.monotonic() if now is None else now
        gone = [p for p in self._agents.values()
                if p.status is not AgentStatus.OFFLINE and now - p.seen > self.timeout_s]
        for entry in gone:
            self._change(entry, AgentStatus.OFFLINE)
        return [p.agent for p in gone]

    def _entry(self, agent: str) -> AgentPresence:
        entry = self._agents.get(agent)
        if entry is None:
            entry = self._agents[agent] = AgentPresence(agent, seen=time.monotonic())
        return entry

    def _change(self, entry: AgentPresence, status: AgentStatus) -> AgentPresence:
        if entry.status is not status:
            entry.status, entry.since = status, time.time()
            self._on_change(entry)
        return entry
