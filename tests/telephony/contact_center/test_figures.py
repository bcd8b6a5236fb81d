"""Wallboard figures from stored call events, in a real SQLite call store: service level,
average speed of answer and abandonment per queue over the window; callbacks apart."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from telephony.contact_center.figures import Decided, FiguresCache, figures, summarize
from telephony.conversations.store import CallStore
from telephony.server.services import open_store


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[CallStore]:
    s = await asyncio.to_thread(open_store, tmp_path / "hotline.db")
    yield s
    await asyncio.to_thread(s.close)


def test_service_level_speed_of_answer_and_abandonment() -> None:
    decided = [Decided("general", "agent_answered", 5.0, 0), Decided("general", "agent_answered", 15.0, 0),
               Decided("general", "agent_answered", 40.0, 0), Decided("general", "queue_abandoned", 30.0, 0),
               Decided("general", "callback_requested", 50.0, 0), Decided("vip", "queue_abandoned", 3.0, 0)]
    rows = {r.queue: r for r in summarize(decided, threshold_s=20.0, queues=["care", "general", "vip"])}
    general = rows["general"]
    assert (general.answered, general.answered_in_time, general.abandoned, general.callbacks) == (3, 2, 1, 1)
    assert general.service_level == 0.5  # 2 of 4 answered-or-abandoned within 20 s
    assert general.asa_s == 20.0 and general.abandon_rate == 0.25
    assert (rows["vip"].service_level, rows["vip"].abandon_rate, rows["vip"].asa_s) == (0.0, 1.0, None)
    care = rows["care"]  # nothing happened: no figure rather than a misleading 0% or 100%
    assert (care.answered, care.service_level, care.asa_s, care.abandon_rate) == (0, None, None, None)


async def test_figures_read_the_window_of_stored_events(store: CallStore) -> None:
    now = time.time()
    await store.call_started("old", "sip", "+1555", {"queue": "general"})
    await store.call_started("a1", "sip", "+1555", {"queue": "general"})
    await store.call_started("a2", "webrtc", "+1556", {"queue": "vip"})
    await store.call_started("ab", "twilio", "+1557", {"queue": "vip"})
    await store.on_event("a1", "agent_answered", {"agent": "ann", "waited_s": 12.0, "queue": "general"})
    await store.on_event("a2", "agent_answered", {"agent": "ann", "waited_s": 31.0})  # queue from meta
    await store.on_event("ab", "queue_abandoned", {"queue": "vip", "waited_s": 8.0})
    await store.on_event("ab", "handoff_queued", {"queue": "vip"})  # not an outcome
    await store.run(lambda c: c.execute(
        "INSERT INTO call_events (call_id, at, kind, data) VALUES ('old', ?, 'queue_abandoned', "
        "'{\"queue\": \"general\", \"waited_s\": 99}')", (now - 7200,)))
    rows = {r.queue: r for r in await figures(store, window_s=3600, threshold_s=20, queues=["general"])}
    assert rows["general"].answered == 1 and rows["general"].abandoned == 0  # the old one is outside
    assert rows["general"].service_level == 1.0 and rows["general"].asa_s == 12.0
    assert (rows["vip"].answered, rows["vip"].abandoned, rows["vip"].service_level) == (1, 1, 0.0)
    mine = await figures(store, window_s=3600, threshold_s=20, queues=["general"], visible={"vip"})
    assert [r.queue for r in mine] == ["vip"]

    cache = FiguresCache(store, 3600, 20, ["general"], max_age_s=60)
    assert {r.queue: r.answered for r in await cache.get()} == {"general": 1, "vip": 1}
    await store.on_event("a1", "agent_answered", {"waited_s": 2.0, "queue": "general"})
    assert {r.queue: r.answered for r in await cache.get()}["general"] == 1  # cached
    cache.stale()
    assert {r.queue: r.answered for r in await cache.get({"general"})} == {"general": 2}
