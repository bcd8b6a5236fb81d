"""`CallControl` (dialog/control.py) per transport, put on the call's session when it opens.

- Every transport: `hang_up(reason)` hangs the call up through the registry (the pipeline is
  cancelled, the record closed with `reason`); the transport then finishes its own way: SIP
  sends BYE as `on_call` returns, WebRTC closes the peer, Twilio closes the media socket.
- SIP (`SipControl`, telephony/sip/control.py): `transfer(target)` sends REFER (RFC 3515, `SipCall.transfer`) once the
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
from collections.abc import Coroutine
from typing import Any

from telephony.conversations.registry import CallRegistry, LiveCall

log = logging.getLogger(__name__)


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
