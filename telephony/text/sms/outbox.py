"""Every message out, whoever wrote it (the brain, a keyword reply, an acknowledgement):
nothing to an opted-out address, nothing free-form to WhatsApp outside the 24-hour
window, each message sent through the REST API and recorded with its status.

A message that may not go out is dropped, not queued: the reason is logged and stored
as the conversation's `sms_not_sent` event. WhatsApp's way out of the window is an
approved template message (docs/sms.md), which this channel does not send yet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from telephony.conversations.store import CallStore
from telephony.core.text_config import SmsConfig
from telephony.text import gsm
from telephony.text.sms.records import SmsRecords
from telephony.text.sms.rest import MessagesApi, SendError

log = logging.getLogger(__name__)
WHATSAPP_WINDOW_S = 24 * 3600.0  # Meta's customer service window


class Outbox:
    def __init__(self, cfg: SmsConfig, records: SmsRecords, api: MessagesApi, store: CallStore,
                 status_callback: str, clock: Callable[[], float]) -> None:
        self.cfg = cfg
        self.records = records
        self.api = api
        self._store = store
        self._status_callback = status_callback
        self.clock = clock

    def sender(self, address: str, to: str = "") -> str:
        """Our sender for `address`: the configured one, else the number it wrote to."""
        configured = self.cfg.whatsapp_from if address.startswith("whatsapp:") else self.cfg.from_number
        return configured or to

    async def send(self, address: str, sender: str, parts: list[str], call_id: str | None, *,
                   opt_out_confirmation: bool = False) -> int:
        """Send `parts` in order; how many went out. `opt_out_confirmation`: the one
        message carriers allow to a number that has just said STOP."""
        reason = await self._refusal(address, opt_out_confirmation)
        if reason is None and not sender:
            reason = "no_sender"  # neither [sms] from_number/whatsapp_from nor the inbound To
        if reason is not None:
            log.info("sms to %s not sent (%s), conversation %s", _masked(address), reason, call_id)
            if call_id:
                await self._store.on_event(call_id, "sms_not_sent", {"reason": reason, "parts": len(parts)})
            return 0
        sent = 0
        for part in parts:
            try:
                out = await self.api.send(address, sender, part, self._status_callback)
            except SendError as e:
                log.warning("sms to %s failed, conversation %s: %s", _masked(address), call_id, e)
                if call_id:
                    await self._store.on_event(call_id, "sms_send_failed", {"error": str(e), "code": e.code})
                break
            await self.records.message(out.sid, call_id, "out", address, out.status or "queued",
                                       gsm.measure(part).segments, at=self.clock())
            sent += 1
        return sent

    async def event(self, call_id: str, kind: str, data: dict[str, object]) -> None:
        await self._store.on_event(call_id, kind, dict(data))

    async def _refusal(self, address: str, opt_out_confirmation: bool) -> str | None:
        if not opt_out_confirmation and await self.records.opted_out(address):
            return "opted_out"
        if address.startswith("whatsapp:"):
            last = await self.records.last_inbound_at(address)
            if last is None or self.clock() - last > WHATSAPP_WINDOW_S:
                return "whatsapp_24h_window"
        return None


def _masked(address: str) -> str:
    """An address fit for the log: the last four digits only."""
    return "…" + address[-4:] if len(address) > 4 else "…"
