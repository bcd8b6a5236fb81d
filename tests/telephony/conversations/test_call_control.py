"""CallControl per transport without real peers, and the escalation's external transfer rule."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from types import SimpleNamespace
from typing import Any

import pytest

from dialog.control import CallControl
from dialog.types import Reply, Session
from telephony.contact_center.handoff import HandoffService
from telephony.conversations.control import RegistryControl, attach
from telephony.conversations.registry import LiveCall
from telephony.core.config import RoutingConfig, load_config, transfer_target
from telephony.core.errors import ConfigError
from telephony.sip import TransferError
from telephony.sip.control import SipControl
from tests.telephony.event_log import EventLog as _Events
from voice.context import CallContext
from voice.processors.bridge import CallBridge

TARGET = "sip:desk@127.0.0.1:5099"


class _Store:
    """The bits of CallStore the handoff uses: run_sync (meta updates) and turns."""

    def __init__(self) -> None:
        self.conn = sqlite3.connect(":memory:", check_same_thread=False)
        self.conn.execute("CREATE TABLE calls (id TEXT PRIMARY KEY, meta TEXT)")
        self.conn.execute("INSERT INTO calls VALUES ('c1', '{}')")

    def run_sync(self, fn: Any) -> Any:
        return fn(self.conn)

    @property
    def meta(self) -> dict[str, Any]:
        return dict(json.loads(self.conn.execute("SELECT meta FROM calls").fetchone()[0]))

    async def turns(self, call_id: str) -> list[dict[str, Any]]:
        return []

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        return None


class _Registry:
    """What RegistryControl and HandoffService use of CallRegistry."""

    def __init__(self) -> None:
        self.active: dict[str, LiveCall] = {}
        self.hung_up: list[tuple[str, str]] = []
        self.on_open: list[Any] = []
        self.before_close: list[Any] = []
        self.on_close: list[Any] = []
        self.sinks: list[Any] = []
        self.services = SimpleNamespace(store=_Store())
        self.floor: list[dict[str, Any]] = []

    def publish_floor(self, message: dict[str, Any]) -> None:
        self.floor.append(message)

    async def hang_up(self, call_id: str, reason: str) -> None:
        live = self.active.pop(call_id, None)
        if live is not None:
            live.end_reason = live.end_reason or reason
            self.hung_up.append((call_id, reason))


class _SipCall:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.ended = asyncio.Event()
        self.end_reason: str | None = None
        self.sent = asyncio.Event()  # the RTP sender has sent what was queued
        self.sent.set()
        self.referred: list[str] = []

    async def drained(self) -> None:
        await self.sent.wait()

    async def transfer(self, uri: str) -> None:
        self.referred.append(uri)
        if self.error is not None:
            raise self.error
        self.end_reason = "transferred"
        self.ended.set()


def _live(registry: _Registry, transport: str = "sip") -> tuple[LiveCall, _Events]:
    events = _Events()
    services = SimpleNamespace(config=SimpleNamespace(language="en"))
    ctx = CallContext(call_id="c1", services=services, channel=transport, observer=events)  # type: ignore[arg-type]
    live = LiveCall(call_id="c1", transport=transport, caller_id=None, ctx=ctx)
    live.bridge = CallBridge("c1")
    live.bridge.transfer_spoken = True  # the transfer message has been spoken
    registry.active["c1"] = live
    return live, events


def test_transfer_targets_are_uris_or_numbers() -> None:
    assert transfer_target("") == "" and transfer_target("  ") == ""
    assert transfer_target(TARGET) == TARGET
    assert transfer_target("+1 (555) 010-0199") == "tel:+15550100199"
    for bad in ("sales", "http://x", "sip:<desk@pbx>", "sip:a b"):
        with pytest.raises(ConfigError, match="routing.external_transfer"):
            transfer_target(bad)
    with pytest.raises(ConfigError, match="routing.external_transfer"):
        RoutingConfig(external_transfer="desk")
    cfg = load_config(None, env={"HOTLINE_ROUTING_EXTERNAL_TRANSFER": TARGET,
                                 "HOTLINE_ROUTING_EXTERNAL_TRANSFER_WHEN": "always"})
    assert cfg.routing.external_transfer == TARGET and cfg.routing.external_transfer_when == "always"
    with pytest.raises(ConfigError, match="routing.external_transfer_when"):
        load_config(None, env={"HOTLINE_ROUTING_EXTERNAL_TRANSFER_WHEN": "sometimes"})
    assert load_config(None, env={}).routing.external_transfer == ""


def test_session_control_defaults_to_none_and_stays_out_of_repr() -> None:
    session = Session(call_id="x")
    assert session.control is None
    registry = _Registry()
    live, _ = _live(registry)
    control = RegistryControl(registry, live)  # type: ignore[arg-type]
    attach(live, control)
    assert live.ctx.session is not None and live.ctx.session.control is control
    assert isinstance(control, CallControl) and "control" not in repr(live.ctx.session)
    assert live.ctx.session == Session(call_id="c1", channel="sip")  # not compared


async def test_registry_control_hangs_up_and_cannot_transfer() -> None:
    registry = _Registry()
    live, events = _live(registry, "webrtc")
    control = RegistryControl(registry, live)  # type: ignore[arg-type]
    assert control.can_transfer is False
    assert await control.transfer(TARGET) is False
    assert events.of("transferred") == [{"target": TARGET, "outcome": "unsupported", "transport": "webrtc"}]
    await asyncio.wait_for(control.hang_up("policy_end"), 5)
    assert registry.hung_up == [("c1", "policy_end")] and live.end_reason == "policy_end"
    await asyncio.wait_for(control.hang_up(), 5)  # already gone: nothing more
    assert len(registry.hung_up) == 1


async def test_sip_control_refers_and_ends_transferred() -> None:
    registry = _Registry()
    live, events = _live(registry)
    call = _SipCall()
    control = SipControl(registry, live, call)  # type: ignore[arg-type]
    assert control.can_transfer is True
    assert await asyncio.wait_for(control.transfer("+1 555 0100"), 5) is True
    assert call.referred == ["tel:+15550100"]
    assert live.end_reason == "transferred"
    assert events.of("transferred") == [{"target": "tel:+15550100", "outcome": "ok", "transport": "sip"}]


@pytest.mark.parametrize("error", [TransferError("REFER refused: 403"), TransferError("no final NOTIFY")])
async def test_sip_control_reports_a_failed_transfer_and_keeps_the_call(error: Exception) -> None:
    registry = _Registry()
    live, events = _live(registry)
    call = _SipCall(error)
    control = SipControl(registry, live, call)  # type: ignore[arg-type]
    assert await asyncio.wait_for(control.transfer(TARGET), 5) is False
    [event] = events.of("transferred")
    assert event["outcome"] == "failed" and str(error) in event["detail"]
    assert live.end_reason is None and "c1" in registry.active


async def test_sip_control_waits_for_queued_audio_before_referring() -> None:
    registry = _Registry()
    live, _ = _live(registry)
    call = _SipCall()
    call.sent.clear()  # the transfer message is still being sent
    control = SipControl(registry, live, call)  # type: ignore[arg-type]
    task = asyncio.ensure_future(control.transfer(TARGET))
    await asyncio.sleep(0.2)
    assert call.referred == [] and not task.done()
    call.sent.set()
    assert await asyncio.wait_for(task, 5) is True and call.referred == [TARGET]


def _handoff(registry: _Registry, **routing: Any) -> HandoffService:
    return HandoffService(registry, RoutingConfig(**routing))  # type: ignore[arg-type]


ESCALATE = Reply(text="Connecting you now.", escalate=True, escalation_reason="caller asked for a person")


async def test_escalation_transfers_out_when_no_agent_is_available() -> None:
    registry = _Registry()
    handoff = _handoff(registry, external_transfer=TARGET)
    live, events = _live(registry)
    call = _SipCall()
    attach(live, SipControl(registry, live, call))  # type: ignore[arg-type]
    assert await asyncio.wait_for(handoff.escalate(live, ESCALATE), 5) is None
    assert call.referred == [TARGET] and live.end_reason == "transferred"
    assert await handoff.queues.waiting() == []
    assert registry.services.store.meta["transferred_to"] == TARGET
    assert [e["outcome"] for e in events.of("transferred")] == ["ok"]


async def test_escalation_queues_when_an_agent_is_available_or_the_transfer_fails() -> None:
    registry = _Registry()
    handoff = _handoff(registry, external_transfer=TARGET)
    handoff.set_presence("alice", "available")
    live, events = _live(registry)
    call = _SipCall()
    attach(live, SipControl(registry, live, call))  # type: ignore[arg-type]
    entry = await asyncio.wait_for(handoff.escalate(live, ESCALATE), 5)
    assert entry is not None and call.referred == []  # a human is free: no transfer

    always = _handoff(registry, external_transfer=TARGET, external_transfer_when="always")
    failing = _SipCall(TransferError("REFER refused: 603"))
    attach(live, SipControl(registry, live, failing))  # type: ignore[arg-type]
    entry = await asyncio.wait_for(always.escalate(live, ESCALATE), 5)
    assert entry is not None and failing.referred == [TARGET]  # tried, failed, queued
    assert [e["outcome"] for e in events.of("transferred")] == ["failed"]


async def test_escalation_on_a_transport_without_transfer_falls_back_to_the_queue() -> None:
    registry = _Registry()
    handoff = _handoff(registry, external_transfer="+15550100")
    live, events = _live(registry, "webrtc")
    attach(live, RegistryControl(registry, live))  # type: ignore[arg-type]
    entry = await asyncio.wait_for(handoff.escalate(live, ESCALATE), 5)
    assert entry is not None and [e.call_id for e in await handoff.queues.waiting()] == ["c1"]
    assert events.of("transferred") == [{"target": "tel:+15550100", "outcome": "unsupported",
                                         "transport": "webrtc"}]

    off = _handoff(_Registry())  # not configured: straight to the queue, nothing recorded
    live2, events2 = _live(off.calls)  # type: ignore[arg-type]
    assert await asyncio.wait_for(off.escalate(live2, ESCALATE), 5) is not None
    assert events2.of("transferred") == []
