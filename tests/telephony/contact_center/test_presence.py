"""Agent presence: a desktop opening makes the agent available, heartbeats keep them, silence
past the timeout takes them offline; each change is announced with the time it began."""

from __future__ import annotations

import pytest

from telephony.contact_center.presence import AgentPresence, AgentStatus, Presence


def presence(timeout_s: float = 10.0) -> tuple[Presence, list[tuple[str, str]]]:
    changes: list[tuple[str, str]] = []

    def changed(entry: AgentPresence) -> None:
        changes.append((entry.agent, entry.status.value))

    return Presence(timeout_s, changed), changes


def test_opening_the_desktop_makes_an_agent_available_not_away() -> None:
    p, changes = presence()
    assert p.of("ann").status is AgentStatus.OFFLINE and not p.anyone_available()
    entry = p.desk_opened("ann", now=100.0)
    assert entry.status is AgentStatus.AVAILABLE and entry.since > 0 and entry.desks == 1
    assert changes == [("ann", "available")] and p.anyone_available()


def test_a_chosen_status_survives_a_reload() -> None:
    p, changes = presence()
    p.desk_opened("ann", now=100.0)
    p.set("ann", "away")
    p.desk_closed("ann")
    p.desk_opened("ann", now=101.0)  # the page reloaded: still away, as chosen
    assert p.of("ann").status is AgentStatus.AWAY
    assert changes == [("ann", "available"), ("ann", "away")]


def test_heartbeats_keep_an_agent_and_silence_takes_them_offline() -> None:
    p, changes = presence(timeout_s=10.0)
    p.desk_opened("ann", now=100.0)
    p.desk_opened("bob", now=100.0)
    gone = []
    for t in (105.0, 112.0, 119.0):
        p.heartbeat("ann", now=t)
        gone.append(p.sweep(now=t))
    assert gone == [[], ["bob"], []]  # bob's last sign of life was at 100
    assert p.of("bob").status is AgentStatus.OFFLINE and p.of("ann").status is AgentStatus.AVAILABLE
    assert p.sweep(now=129.5) == ["ann"]  # ann's desktop closed after 119
    assert ("bob", "offline") in changes and changes[-1] == ("ann", "offline")
    assert not p.anyone_available()
    p.heartbeat("ann", now=130.0)  # the desktop came back: available again
    assert p.of("ann").status is AgentStatus.AVAILABLE


def test_a_status_change_restarts_the_clock_and_offline_is_not_a_choice() -> None:
    p, _ = presence()
    first = p.desk_opened("ann").since
    entry = p.set("ann", "busy")
    assert entry.since >= first and entry.as_dict() == {"agent": "ann", "status": "busy", "since": entry.since}
    same = p.set("ann", "busy").since
    assert same == entry.since  # no change, same clock
    for bad in ("offline", "lunch", ""):
        with pytest.raises(ValueError, match="available, busy, away"):
            p.set("ann", bad)
