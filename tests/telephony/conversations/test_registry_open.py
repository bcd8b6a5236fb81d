"""A call is whole before anyone can find it: CallRegistry.open attaches the control, the
recorder, the observers, the bridge and the pipeline, runs the on_open hooks, writes the
record, and only then puts the call in `active`.

A clean-clone run once failed on this race (an escalation found a SIP call in `active`
whose Session.control was not attached yet, so it could not transfer). These tests catch
it without timing: `active` itself checks every call put into it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pipecat.processors.frame_processor import FrameProcessor

from telephony.conversations.control import RegistryControl
from telephony.conversations.registry import CallRegistry, LiveCall
from voice.file_transport import FileTransport
from voice.transport import CallTransport


class _Media(CallTransport):
    """A transport with the registry's own control and a file call's two ends."""

    def __init__(self, calls: CallRegistry, live: LiveCall) -> None:
        self._ends = FileTransport()
        self.started = self._ends.caller.started
        self.control = RegistryControl(calls, live)

    def input(self) -> FrameProcessor:
        return self._ends.input()

    def output(self) -> FrameProcessor:
        return self._ends.output()


def _whole(live: LiveCall) -> bool:
    session = live.ctx.session
    return (session is not None and session.control is not None and live.media is not None
            and session.control is live.media.control and live.pipeline is not None
            and live.recorder is not None and live.bridge is not None
            and live.bridge.on_escalate is not None)  # the handoff's on_open hook ran


class _CheckedActive(dict[str, LiveCall]):
    """`CallRegistry.active` that refuses a call that is not whole yet."""

    def __setitem__(self, call_id: str, live: LiveCall) -> None:
        assert _whole(live), f"call {call_id} became visible before it was whole"
        super().__setitem__(call_id, live)


async def test_a_call_is_whole_before_it_is_visible(services: Any) -> None:
    from telephony.contact_center.handoff import HandoffService

    calls = CallRegistry(services)
    calls.active = _CheckedActive()
    HandoffService(calls, services.config.routing)  # its on_open hook sets bridge.on_escalate
    seen: list[bool] = []

    def on_open(live: LiveCall) -> None:  # hooks see the call whole, and not yet visible
        seen.append(live.ctx.session is not None and live.ctx.session.control is not None
                    and live.call_id not in calls.active)

    calls.on_open.append(on_open)
    live = await calls.open("webrtc", media=lambda live: _Media(calls, live), caller_id="+1555")
    assert seen == [True] and calls.active[live.call_id] is live
    assert (await services.store.call(live.call_id))["transport"] == "webrtc"
    task = calls.run(live)
    assert isinstance(live.media, _Media)
    await asyncio.wait_for(live.media.started.wait(), 30)
    await asyncio.wait_for(live.ctx.session.control.hang_up("agent_hangup"), 30)
    assert task.done() and live.call_id not in calls.active
    assert (await services.store.call(live.call_id))["end_reason"] == "agent_hangup"


async def test_a_call_that_cannot_be_built_is_never_visible_nor_recorded(services: Any) -> None:
    calls = CallRegistry(services)
    calls.active = _CheckedActive()

    def broken(live: LiveCall) -> CallTransport:
        raise RuntimeError("no media")

    with pytest.raises(RuntimeError, match="no media"):
        await calls.open("webrtc", media=broken, call_id="never-visible")
    assert not calls.active and await services.store.call("never-visible") is None

    def hook(live: LiveCall) -> None:
        raise RuntimeError("hook failed")

    calls.on_open.append(hook)
    with pytest.raises(RuntimeError, match="hook failed"):
        await calls.open("webrtc", media=lambda live: _Media(calls, live), call_id="half-built")
    assert not calls.active and await services.store.call("half-built") is None
    assert not (services.config.data_path / "recordings" / "half-built.wav").exists()


async def test_a_call_hung_up_while_starting_leaves_nothing_running(services: Any) -> None:
    """The caller may be gone before the pipeline is up (BYE right after the ACK)."""
    calls = CallRegistry(services)
    before = asyncio.all_tasks()
    for delay_s in (0.0, 0.05):
        live = await calls.open("webrtc", media=lambda live: _Media(calls, live))
        calls.run(live)
        await asyncio.sleep(delay_s)
        await asyncio.wait_for(calls.hang_up(live.call_id, "caller_hangup"), 30)
        assert (await services.store.call(live.call_id))["end_reason"] == "caller_hangup"
    await asyncio.sleep(0.1)
    left = {t for t in asyncio.all_tasks() - before if t is not asyncio.current_task() and not t.done()}
    assert not left, f"tasks left running: {[t.get_name() for t in left]}"


async def test_a_call_hung_up_twice_at_once_leaves_nothing_running(services: Any) -> None:
    """The caller's BYE and a shutdown together: the SIP session's task that is hanging the
    call up is cancelled while it waits, and the shutdown hangs the call up again while its
    pipeline is stopping. The pipeline still stops; nothing is left for the event loop's
    close to wait on for ever (a suite once hung there)."""
    calls = CallRegistry(services)
    before = asyncio.all_tasks()
    media: list[_Media] = []

    def make(live: LiveCall) -> _Media:
        media.append(_Media(calls, live))
        return media[-1]

    live = await calls.open("sip", media=make)
    calls.run(live)
    await asyncio.wait_for(media[0].started.wait(), 30)  # the pipeline is up
    owner = asyncio.create_task(calls.hang_up(live.call_id, "caller_hangup"))
    await asyncio.sleep(0)  # it has cancelled the call's task and waits for its end
    owner.cancel()  # the SIP session gives up on it
    await asyncio.sleep(0)
    await asyncio.wait_for(calls.hang_up_all("server_shutdown"), 30)
    await asyncio.wait({owner})
    await asyncio.sleep(0.1)
    assert live.call_id not in calls.active
    assert (await services.store.call(live.call_id))["end_reason"] in ("caller_hangup", "server_shutdown")
    left = {t for t in asyncio.all_tasks() - before if t is not asyncio.current_task() and not t.done()}
    assert not left, f"tasks left running: {sorted(t.get_name() for t in left)}"
