"""`CallControl` (dialog/control.py) per transport, put on the call's session when it opens.

- Every transport: `hang_up(reason)` hangs the call up through the registry (the pipeline is
  cancelled, the record closed with `reason`); the transport then finishes its own way: SIP
  sends BYE as `on_call` returns, WebRTC closes the peer, Twilio closes the media socket.
- SIP (`SipControl`): `transfer(target)` sends REFER (RFC 3515, `SipCall.transfer`) once the
  agent's audio already queued has played, waits for the NOTIFY sipfrag, then the session
  sends BYE and the record ends `transferred`. A refused REFER, a failure sipfrag or no final
  NOTIFY within `[sip]` transfer_timeout_s returns False and the call stays up.
- Twilio (`TwilioControl`, telephony/twilio/transfer.py): `transfer(target)` updates the
  call through the REST API with `<Dial>` TwiML; the record ends `transferred` as for SIP.
- WebRTC (`RegistryControl`): no transfer (`can_transfer` False).

Every attempted transfer is recorded as the call event `transferred` with `target` and
`outcome` (`ok`, `failed` with `detail`, `unsupported`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import Any

from telephony.calls import CallRegistry, LiveCall
from telephony.config import transfer_target
from telephony.errors import ConfigError
from telephony.sip import SipCall

log = logging.getLogger(__name__)
DRAIN_MAX_S = 20.0  # longest wait for queued agent audio to play out before a REFER
POLL_S = 0.05


class RegistryControl:
    """Hang-up through the call registry; no transfer (WebRTC, Twilio)."""

    can_transfer = False

    def __init__(self, calls: CallRegistry, live: LiveCall) -> None:
        self._calls = calls
        self._live = live
        self._tasks: set[asyncio.Task[Any]] = set()

    def _detach(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run `coro` as its own task, kept until done: a caller inside the call's pipeline
        is cancelled by the hang-up it asked for, and the hang-up must still finish."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def hang_up(self, reason: str = "agent_hangup") -> None:
        if self._live.call_id not in self._calls.active:
            return
        log.info("call %s: hung up by the dialog (%s)", self._live.call_id, reason)
        await asyncio.shield(self._detach(self._calls.hang_up(self._live.call_id, reason)))

    async def transfer(self, target: str) -> bool:
        await self._live.ctx.event("transferred", target=target, outcome="unsupported",
                                   transport=self._live.transport)
        return False


class SipControl(RegistryControl):
    """SIP: hang-up as above, blind transfer by REFER."""

    can_transfer = True

    def __init__(self, calls: CallRegistry, live: LiveCall, call: SipCall) -> None:
        super().__init__(calls, live)
        self._call = call

    async def transfer(self, target: str) -> bool:
        result = await asyncio.shield(self._detach(self._refer(target)))
        return bool(result)

    async def _refer(self, target: str) -> bool:
        try:
            uri = transfer_target(target)
        except ConfigError as e:
            return await self._failed(target, str(e))
        if not uri:
            return await self._failed(target, "no transfer target")
        if self._call.ended.is_set():
            return await self._failed(uri, f"call already ended ({self._call.end_reason})")
        await self._drained()
        log.info("call %s: transferring to %s (REFER)", self._live.call_id, uri)
        try:
            await self._call.transfer(uri)
        except Exception as e:  # TransferError, or the call ending under us
            return await self._failed(uri, str(e) or type(e).__name__)
        await transfer_done(self._live, uri)
        return True

    async def _drained(self) -> None:
        """Let the agent's last words (the transfer message) finish on the RTP sender."""
        deadline = time.monotonic() + DRAIN_MAX_S
        while self._call.queued_ms > 0 and not self._call.ended.is_set() and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(POLL_S)

    async def _failed(self, target: str, detail: str) -> bool:
        return await transfer_failed(self._live, target, detail)


async def transfer_done(live: LiveCall, target: str) -> None:
    """The far end took the call: the record ends `transferred`, an `ok` event."""
    live.end_reason = "transferred"  # before any await: the bridge closes the record
    await live.ctx.event("transferred", target=target, outcome="ok", transport=live.transport)


async def transfer_failed(live: LiveCall, target: str, detail: str) -> bool:
    """Log and record a failed transfer (the call stays up); False, for `transfer` to return."""
    log.warning("call %s: transfer to %s failed: %s", live.call_id, target, detail)
    await live.ctx.event("transferred", target=target, outcome="failed", detail=detail,
                         transport=live.transport)
    return False


def attach(live: LiveCall, control: RegistryControl) -> None:
    """Give the call's dialog session its controls (Session.control)."""
    if live.ctx.session is not None:
        live.ctx.session.control = control
