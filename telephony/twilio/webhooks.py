"""Twilio's HTTP webhooks: the incoming-call TwiML and the call status callback.

Both are verified with X-Twilio-Signature against `server.public_url` before
anything else happens; a missing or wrong signature is logged and answered 403.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from telephony.conversations.registry import CallRegistry
from telephony.conversations.services import Services
from telephony.twilio import signature, twiml
from telephony.twilio.errors import SignatureError
from telephony.twilio.state import TwilioState, twilio_state
from telephony.twilio.tokens import TOKEN_PARAM

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024
TERMINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "canceled", "failed"})


async def _verified(request: Request, tw: TwilioState) -> signature.FormParams | Response:
    if not tw.public_url:
        log.error("twilio webhook %s refused: server.public_url is not set (Twilio signs "
                  "the public URL, so it cannot be checked without it)", request.url.path)
        return PlainTextResponse("server not configured for Twilio", status_code=503)
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return PlainTextResponse("request too large", status_code=413)
    url = signature.public_request_url(tw.public_url, request.url.path,
                                       request.scope.get("query_string", b""))
    try:
        return signature.verify(tw.auth_token, url, body.decode("utf-8", "replace"),
                                dict(request.headers))
    except SignatureError as e:
        client = request.client.host if request.client else "?"
        log.warning("twilio webhook %s from %s refused (403): %s", request.url.path, client, e)
        return PlainTextResponse("forbidden", status_code=403)


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
