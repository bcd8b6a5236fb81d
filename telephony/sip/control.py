"""SIP call control: hang-up through the registry, blind transfer by REFER (RFC 3515).

See telephony/conversations/control.py for the contract every transport implements.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telephony.conversations.control import RegistryControl, transfer_done, transfer_failed
from telephony.conversations.registry import CallRegistry, LiveCall
from telephony.core.config import transfer_target
from telephony.core.errors import ConfigError
from telephony.sip.call import SipCall

log = logging.getLogger(__name__)
DRAIN_MAX_S = 20.0  # longest wait for queued agent audio to play out before a REFER


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
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._call.drained(), DRAIN_MAX_S)

    async def _failed(self, target: str, detail: str) -> bool:
        return await transfer_failed(self._live, target, detail)
