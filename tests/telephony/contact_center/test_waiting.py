"""Waiting callers: position and estimated wait announced on hold, the callback offer taken by
voice or keypad (stored, confirmed, the call ended), and a caller who hangs up while queued
counted as abandoned. The real registry, handoff service and SQLite store; the call's audio
pipeline is replaced by what it would report (tests/voice/processors/test_hold_prompts.py and
the browser test run the real one)."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from dialog.types import Reply
from telephony.contact_center.figures import figures
from telephony.contact_center.handoff import HandoffService
from telephony.contact_center.waiting import CONFIRMATION, announcement, can_ring
from telephony.conversations.registry import CallRegistry, LiveCall
from telephony.conversations.services import ConversationServices
from telephony.conversations.store import CallStore
from telephony.core.config import HotlineConfig, RoutingConfig
from telephony.server.services import open_store
from voice.context import CallContext
from voice.events import FanOutObserver, TurnRecord
from voice.processors.bridge import BridgeMode, CallBridge

ESCALATE = Reply(text="Let me get a colleague.", escalate=True, escalation_reason="caller asked for a person")


@dataclass
class Floor:
    calls: CallRegistry
    handoff: HandoffService
    store: CallStore
    floor: asyncio.Queue[dict[str, object]]


@pytest.fixture
async def floor(tmp_path: Path) -> AsyncIterator[Floor]:
    base = HotlineConfig()
    cfg = dataclasses.replace(base, server=dataclasses.replace(base.server, data_dir=str(tmp_path)))
    store = await asyncio.to_thread(open_store, tmp_path / "hotline.db")
    calls = CallRegistry(ConversationServices(config=cfg, engine=None, store=store))  # type: ignore[arg-type]
    handoff = HandoffService(calls, RoutingConfig(announce_every_s=30, wait_per_caller_s=90))
    yield Floor(calls, handoff, store, calls.watch())
    await calls.hang_up_all("test_over")
    await handoff.close()
    await asyncio.to_thread(store.close)


async def waiting_call(f: Floor, call_id: str, caller_id: str) -> LiveCall:
    """A voice call as the registry opens it (its sinks and on_open hooks), escalated to a queue
    and past its transfer message."""
    ctx = CallContext(call_id=call_id, services=SimpleNamespace(), channel="sip", caller_id=caller_id)  # type: ignore[arg-type]
    live = LiveCall(call_id=call_id, transport="sip", caller_id=caller_id, ctx=ctx)
    ctx.observer = live.observer = FanOutObserver(f.store, *(sink(live) for sink in f.calls.sinks))
    live.bridge = CallBridge(call_id)
    for hook in f.calls.on_open:
        hook(live)
    f.calls.active[call_id] = live
    await f.store.call_started(call_id, "sip", caller_id)
    assert await f.handoff.escalate(live, ESCALATE) is not None
    live.bridge.transfer_spoken = True
    return live


def prompts(live: LiveCall) -> list[Reply]:
    assert live.bridge is not None
    out = []
    while not live.bridge.hold_prompts.empty():
        out.append(live.bridge.hold_prompts.get_nowait())
    return out


async def kinds_of(store: CallStore, call_id: str) -> list[str]:
    return await store.run(lambda c: [r[0] for r in c.execute(
        "SELECT kind FROM call_events WHERE call_id = ? ORDER BY id", (call_id,))])


def test_what_a_waiting_caller_hears() -> None:
    assert announcement(1, 40, offer=False) == "You're next in line. Your wait should be less than a minute."
    assert announcement(3, 250, offer=True) == (
        "You're number 3 in line. Your estimated wait is about 4 minutes. "
        "If you'd rather be called back, press 1 or say callback.")
    assert announcement(2, 70, offer=False).endswith("about 1 minute.")
    assert [can_ring(c) for c in ("+15550100002", "5550100", "2001", "127.0.0.1", "alice", None, "")] == [
        True, True, False, False, False, False, False]


async def test_waiting_callers_hear_their_place_and_can_be_called_back(floor: Floor) -> None:
    first = await waiting_call(floor, "w-first", "+15550100002")
    second = await waiting_call(floor, "w-second", "127.0.0.1")  # a web caller without a number
    await floor.handoff.waiting.announce_due(now=1000.0)
    [said_first], [said_second] = prompts(first), prompts(second)
    assert said_first.intent == "queue_position"
    assert said_first.text == ("You're next in line. Your estimated wait is about 2 minutes. "
                               "If you'd rather be called back, press 1 or say callback.")
    assert said_second.text == "You're number 2 in line. Your estimated wait is about 3 minutes."
    await floor.handoff.waiting.announce_due(now=1010.0)
    assert prompts(first) == [] and prompts(second) == []  # not due yet
    await floor.handoff.waiting.announce_due(now=1031.0)
    assert len(prompts(first)) == 1 and len(prompts(second)) == 1

    # "call me back": booked, out of the queue, confirmed as the last words, then hung up
    assert second.bridge is not None and not second.bridge.on_hold_key("1")  # no offer made to it
    now = time.time()
    await first.observer.on_turn(TurnRecord("w-first", "caller", "Yes, call me back please.", now, now))
    assert first.bridge is not None and first.bridge.letting_go
    [confirm] = prompts(first)
    assert (confirm.text, confirm.intent) == (CONFIRMATION, "callback_confirmed")
    assert [e.call_id for e in await floor.handoff.queues.waiting()] == ["w-second"]
    [callback] = await floor.handoff.callbacks.open({"general"})
    assert (callback.call_id, callback.caller_id, callback.queue) == ("w-first", "+15550100002", "general")
    assert await floor.handoff.callbacks.open({"vip"}) == []
    await first.observer.on_turn(TurnRecord("w-first", "agent", CONFIRMATION, time.time(), time.time() + 0.3,
                                            meta={"intent": "callback_confirmed"}))
    for _ in range(60):
        if "w-first" not in floor.calls.active:
            break
        await asyncio.sleep(0.05)
    record = await floor.store.call("w-first")
    assert record is not None and record["end_reason"] == "callback"
    assert "callback_requested" in await kinds_of(floor.store, "w-first")

    # the other caller hangs up while still queued: abandoned, with how long they waited
    await floor.calls.hang_up("w-second", "caller_hangup")
    assert await kinds_of(floor.store, "w-second") == [
        "handoff_queued", "queue_position", "queue_position", "queue_abandoned"]
    [general] = await figures(floor.store, window_s=600, threshold_s=20, queues=["general"])
    assert (general.answered, general.abandoned, general.callbacks) == (0, 1, 1)
    seen = []
    while not floor.floor.empty():
        seen.append(floor.floor.get_nowait()["type"])
    for kind in ("queued", "dequeued", "callback", "ended", "call_ended"):
        assert kind in seen, seen


async def test_keypad_1_takes_the_offer_before_the_dialog_hears_it(floor: Floor) -> None:
    live = await waiting_call(floor, "w-key", "+15550100009")
    assert live.bridge is not None
    assert not live.bridge.on_hold_key("1")  # nothing offered yet: the dialog gets the key
    await floor.handoff.waiting.announce_due(now=50.0)
    prompts(live)
    assert not live.bridge.on_hold_key("2")
    assert live.bridge.on_hold_key("1") and live.bridge.letting_go
    for _ in range(60):
        if await floor.handoff.callbacks.open():
            break
        await asyncio.sleep(0.05)
    [callback] = await floor.handoff.callbacks.open()
    assert callback.call_id == "w-key" and live.bridge.mode is BridgeMode.HOLD
    assert [r.intent for r in prompts(live)] == ["callback_confirmed"]
    assert await floor.handoff.callbacks.done(callback.id, "ann")
    assert not await floor.handoff.callbacks.done(callback.id, "bob")  # done once
    assert await floor.handoff.callbacks.open() == []
