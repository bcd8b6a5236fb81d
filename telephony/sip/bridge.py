"""SIP calls into the voice agent: one registry call and one recorded pipeline per SipCall.

`start_sip` starts the SIP server for the app's lifespan. For each answered call,
`SipBridge.on_call` opens the call in the registry (transport "sip", caller id from From,
media and controls from `SipTransport`), runs its pipeline as the registry's owned task
and waits for whichever ends first: the caller (BYE, ACK timeout...) -> the pipeline is
cancelled and the record closed with the SIP end reason; the pipeline (a hang-up through
the registry: the API, shutdown, or the voice layer after the goodbye) -> returning from
`on_call` makes the SIP session send BYE.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from typing import Any

from telephony.conversations.registry import CallRegistry, LiveCall
from telephony.core.config import SipSection
from telephony.core.errors import ConfigError
from telephony.sip import SipCall, SipServer
from telephony.sip.config import from_section
from telephony.sip.pipeline_io import SipTransport

log = logging.getLogger(__name__)
END_REASONS = {"remote-bye": "caller_hangup", "server-stop": "server_shutdown",
               "local-hangup": "agent_hangup"}


def trusted_from(section: SipSection, source_ip: str) -> bool:
    """Does the entrance vouch for this call's From (docs/sip.md, "Caller identity")? Only
    from a trusted trunk/PBX address, or after digest auth when that is trusted."""
    if section.trust_authenticated and section.auth_users:
        return True  # admitted INVITEs passed digest auth (telephony/sip/policy.py)
    try:
        address = ipaddress.ip_address(source_ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False)
               for net in section.trusted_sources)


class SipBridge:
    def __init__(self, calls: CallRegistry, section: SipSection | None = None) -> None:
        self._calls = calls
        self._section = section or SipSection()  # its trust settings (trusted_from)

    async def on_call(self, call: SipCall) -> None:
        """Runs for the SIP call's life (the SIP session owns this task)."""
        meta: dict[str, Any] = {"sip_call_id": call.call_id, "from": call.caller.uri,
                                "display": call.caller.display, "to": call.called,
                                "remote": f"{call.remote_addr[0]}:{call.remote_addr[1]}"}
        calls = self._calls

        def media(live: LiveCall) -> SipTransport:
            return SipTransport(calls, live, call)

        verified = trusted_from(self._section, call.remote_addr[0])
        meta["caller_verified"] = verified
        live = await calls.open("sip", media=media, caller_id=call.caller.user or None,
                                caller_verified=verified, meta=meta)
        try:
            await self._until_over(call, calls.run(live))
        finally:
            if live.call_id in calls.active:  # caller gone, or this task was cancelled
                await live.ctx.event("sip_ended", reason=call.end_reason or "cancelled")
                reason = END_REASONS.get(call.end_reason or "", call.end_reason or "cancelled")
                await calls.hang_up(live.call_id, reason.replace("-", "_"))

    @staticmethod
    async def _until_over(call: SipCall, task: asyncio.Task[None]) -> None:
        ended = asyncio.ensure_future(call.ended.wait())
        try:
            await asyncio.wait({task, ended}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ended.cancel()


async def start_sip(cfg: SipSection, calls: CallRegistry) -> SipServer | None:
    """The SIP server answering into `calls`, or None when [sip] is disabled."""
    if not cfg.enabled:
        return None
    server = SipServer(from_section(cfg), SipBridge(calls, cfg).on_call)
    try:
        await server.start()
    except OSError as e:
        raise ConfigError(
            f"sip.bind_port: cannot listen for SIP on udp {cfg.bind_host}:{cfg.bind_port} "
            f"({e.strerror or e}); free the port, or change [sip] bind_port / set enabled = false"
        ) from e
    return server
