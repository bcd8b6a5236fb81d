"""Twilio Messaging's webhooks: an incoming message, and a sent message's status.

Both are checked with X-Twilio-Signature against `server.public_url` by the same code as
the voice webhooks (telephony/web/twilio_signature.py): unsigned or forged requests get
403 and change nothing. An incoming message is answered with empty TwiML at once; the
replies go out through the REST API (telephony/text/sms/outbox.py).
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from telephony.text.sms.inbound import Inbound
from telephony.text.sms.service import SmsService
from telephony.web.twilio_signature import FormParams, verified_form

log = logging.getLogger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


async def _verified(request: Request) -> tuple[SmsService, FormParams] | Response:
    sms: SmsService | None = getattr(request.app.state, "sms", None)
    if sms is None:
        log.warning("twilio messaging webhook %s: the SMS channel is not enabled ([sms].enabled)",
                    request.url.path)
        return PlainTextResponse("SMS channel not enabled", status_code=503)
    form = await verified_form(request, sms.cfg.auth_token(), request.app.state.config.server.public_url)
    return form if isinstance(form, Response) else (sms, form)


async def message(request: Request) -> Response:
    checked = await _verified(request)
    if isinstance(checked, Response):
        return checked
    sms, form = checked
    msg = Inbound.from_form(form)
    if not msg.sid or not msg.address:
        return PlainTextResponse("no MessageSid or From", status_code=400)
    await sms.receive(msg)
    return Response(EMPTY_TWIML, media_type="application/xml")


async def status(request: Request) -> Response:
    """Status callback (queued, sent, delivered, undelivered, failed, read): stored on the
    message and, for a conversation's message, as its `sms_status` event."""
    checked = await _verified(request)
    if isinstance(checked, Response):
        return checked
    sms, form = checked
    sid, state = form.first("MessageSid") or form.first("SmsSid"), form.first("MessageStatus")
    if not sid or not state:
        return PlainTextResponse("no MessageSid or MessageStatus", status_code=400)
    error = form.first("ErrorCode") or None
    row = await sms.records.status(sid, state, error)
    if row is not None and row.call_id:
        await sms.outbox.event(row.call_id, "sms_status", {"sid": sid, "status": state, "error_code": error})
    if error:
        log.warning("sms %s: %s (Twilio error %s)", sid, state, error)
    return Response(status_code=204)
