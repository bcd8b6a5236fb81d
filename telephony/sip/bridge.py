"""SIP calls into the voice agent: one registry call and one recorded pipeline per SipCall.

`start_sip` starts the SIP server for the app's lifespan. For each answered call,
`SipBridge.on_call` opens the call record (transport "sip", caller id from From),
runs the pipeline as the registry's owned task, greets once it is up, and then waits
for whichever ends first: the caller (BYE, ACK timeout...) -> the pipeline is cancelled
and the record closed with the SIP end reason; the pipeline (hang-up API, shutdown) ->
returning from `on_call` makes the SIP session send BYE; the dialog (a reply with
`end_call`) -> the goodbye plays out, then the same.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from typing import Any

from dialog.types import DialogEngine, Reply, Session
from telephony.conversations.control import attach
from telephony.conversations.registry import CallRegistry, LiveCall
from telephony.core.config import SipSection
from telephony.core.errors import ConfigError
from telephony.sip import SipCall, SipServer
from telephony.sip.config import from_section
from telephony.sip.control import SipControl
from telephony.sip.pipeline_io import SIP_RATE_HZ, SipInput, SipOutput
from voice.frames import GreetFrame

log = logging.getLogger(__name__)
END_REASONS = {"remote-bye": "caller_hangup", "server-stop": "server_shutdown",
               "local-hangup": "agent_hangup"}
GOODBYE_MAX_S = 20.0  # longest wait for the goodbye to play out before hanging up
QUIET_S = 0.3  # the agent must stay silent this long for the goodbye to count as played


class EndCallWatch:
    """The shared DialogEngine, seen by one call: notes replies that end the call.

    voice.processors.dialog.DialogProcessor speaks `Reply.end_call` replies but does not
    act on the flag, so the bridge watches the engine's replies for it.
    """

    def __init__(self, engine: DialogEngine) -> None:
        self._engine = engine
        self.requested = asyncio.Event()

    def _note(self, reply: Reply) -> Reply:
        if reply.end_call:
            self.requested.set()
        return reply

    async def greet(self, session: Session) -> Reply:
        return self._note(await self._engine.greet(session))

    async def respond(self, session: Session, text: str) -> Reply:
        return self._note(await self._engine.respond(session, text))

    async def on_dtmf(self, session: Session, digits: str) -> Reply | None:
        reply = await self._engine.on_dtmf(session, digits)
        return None if reply is None else self._note(reply)


class SipBridge:
    def __init__(self, calls: CallRegistry, greeting: bool = True) -> None:
        self._calls = calls
        self._greeting = greeting

    async def on_call(self, call: SipCall) -> None:
        """Runs for the SIP call's life (the SIP session owns this task)."""
        meta: dict[str, Any] = {"sip_call_id": call.call_id, "from": call.caller.uri,
                                "display": call.caller.display, "to": call.called,
                                "remote": f"{call.remote_addr[0]}:{call.remote_addr[1]}"}
        live = await self._calls.open("sip", caller_id=call.caller.user or None, meta=meta)
        attach(live, SipControl(self._calls, live, call))  # hang-up, REFER transfer
        watch = EndCallWatch(live.ctx.services.engine)
        live.ctx.services = dataclasses.replace(live.ctx.services, engine=watch)
        output = SipOutput(call, live.call_id)
        try:
            pipeline = self._calls.pipeline(live, SipInput(call, live.call_id), output,
                                            out_sample_rate_hz=SIP_RATE_HZ)
            if self._greeting:
                @pipeline.worker.event_handler("on_pipeline_started")
                async def _greet(*_: object) -> None:
                    await pipeline.worker.queue_frame(GreetFrame())

            task = self._calls.run(live, pipeline)
            await self._until_over(call, live, output, task, watch)
        finally:
            if live.call_id in self._calls.active:  # caller gone, or this task was cancelled
                await live.ctx.event("sip_ended", reason=call.end_reason or "cancelled")
                reason = END_REASONS.get(call.end_reason or "", call.end_reason or "cancelled")
                await self._calls.hang_up(live.call_id, reason.replace("-", "_"))

    async def _until_over(self, call: SipCall, live: LiveCall, output: SipOutput,
                          task: asyncio.Task[None], watch: EndCallWatch) -> None:
        ended = asyncio.ensure_future(call.ended.wait())
        goodbye = asyncio.ensure_future(watch.requested.wait())
        try:
            await asyncio.wait({task, ended, goodbye}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ended.cancel()
            goodbye.cancel()
        if task.done() or call.ended.is_set():
            return
        log.info("call %s: the dialog ended the call; hanging up after the goodbye", live.call_id)
        await self._goodbye_played(call, live, output)
        live.end_reason = "agent_hangup"
        await live.ctx.event("sip_ended", reason="local-hangup")
        await self._calls.hang_up(live.call_id, "agent_hangup")

    @staticmethod
    async def _goodbye_played(call: SipCall, live: LiveCall, output: SipOutput) -> None:
        deadline = time.monotonic() + GOODBYE_MAX_S
        quiet_since: float | None = None
        while time.monotonic() < deadline and not call.ended.is_set():
            busy = live.ctx.reply_in_flight or output.speaking or call.queued_ms > 0
            now = time.monotonic()
            quiet_since = None if busy else (quiet_since or now)
            if quiet_since is not None and now - quiet_since >= QUIET_S:
                return
            await asyncio.sleep(0.05)


async def start_sip(cfg: SipSection, calls: CallRegistry, *, greeting: bool = True) -> SipServer | None:
    """The SIP server answering into `calls`, or None when [sip] is disabled."""
    if not cfg.enabled:
        return None
    server = SipServer(from_section(cfg), SipBridge(calls, greeting).on_call)
    try:
        await server.start()
    except OSError as e:
        raise ConfigError(
            f"sip.bind_port: cannot listen for SIP on udp {cfg.bind_host}:{cfg.bind_port} "
            f"({e.strerror or e}); free the port, or change [sip] bind_port / set enabled = false"
        ) from e
    return server
