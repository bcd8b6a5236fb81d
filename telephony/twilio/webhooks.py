"""Twilio's HTTP webhooks: the incoming-call TwiML and the call status callback.

Both are verified with X-Twilio-Signature against `server.public_url` before
anything else happens (telephony/web/twilio_signature.py, shared with the messaging
webhooks); a missing or wrong signature is logged and answered 403.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from telephony.conversations.registry import CallRegistry
from telephony.conversations.services import Services
from telephony.twilio import twiml
from telephony.twilio.state import TwilioState, twilio_state
from telephony.twilio.tokens import TOKEN_PARAM
from telephony.web.twilio_signature import FormParams, verified_form

log = logging.getLogger(__name__)
TERMINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "canceled", "failed"})


async def _verified(request: Request, tw: TwilioState) -> FormParams | Response:
    return await verified_form(request, tw.auth_token, tw.public_url)


async def voice(request: Request) -> Response:
    """Incoming call -> <Connect><Stream> with the caller's details as <Parameter>s."""
    tw = twilio_state(request.app)
    form = await _verified(request, tw)
    if isinstance(form, Response):
        return form
    params = twiml.stream_parameters(form)
    params[TOKEN_PARAM] = tw.tokens.mint(tw.auth_token, params)
    url = twiml.stream_url(tw.public_url, tw.config.media_path)
    log.info("twilio call %s from %s: answering with a media stream", params.get("CallSid", "?"),
             params.get("From", "unknown"))
    return Response(twiml.connect_stream(url, params), media_type="application/xml")


async def status(request: Request) -> Response:
    """Call status callback: stored as an event; a finished call's record is closed."""
    tw = twilio_state(request.app)
    form = await _verified(request, tw)
    if isinstance(form, Response):
        return form
    services: Services = request.app.state.services
    calls: CallRegistry = request.app.state.calls
    call_sid = form.first("CallSid")
    call_status = form.first("CallStatus")
    if not call_sid:
        return PlainTextResponse("no CallSid", status_code=400)
    data = {"status": call_status, "duration_s": form.first("CallDuration"),
            "sequence": form.first("SequenceNumber")}
    log.info("call %s: twilio status %s", call_sid, call_status)
    if call_status in TERMINAL_STATUSES:
        reason = f"twilio_{call_status.replace('-', '_')}"
        if call_sid in calls.active:
            await calls.hang_up(call_sid, reason)
        elif await services.store.call(call_sid) is None:
            # the call ended before its media stream started: still a call on record
            await services.store.call_started(call_sid, "twilio", form.first("From") or None,
                                              {"call_sid": call_sid, "to": form.first("To")})
            await services.store.call_ended(call_sid, reason)
    await services.store.on_event(call_sid, "twilio_status", data)
    return Response(status_code=204)
