"""X-Twilio-Signature verification against the configured public URL.

Behind a reverse proxy the Host header and scheme the app sees are not what
Twilio signed, so the URL is always `server.public_url` + the request path and
raw query: a client cannot pick the URL it is checked against. One check for every
Twilio webhook, voice (telephony/twilio/webhooks.py) and messaging (telephony/text/sms/):
`verified_form` answers 503 without a public URL, 413 for an oversized body and 403 for
a missing or wrong signature, and logs why.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, parse_qsl

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024


class SignatureError(Exception):
    """A webhook's X-Twilio-Signature is missing or does not match (answered 403)."""


class FormParams(dict[str, list[str]]):
    """Multi-valued form fields, in the shape RequestValidator reads (`getlist`)."""

    @classmethod
    def parse(cls, body: str) -> FormParams:
        params = cls()
        for key, value in parse_qsl(body, keep_blank_values=True):
            params.setdefault(key, []).append(value)
        return params

    def getlist(self, key: str) -> list[str]:
        return self[key]

    def first(self, key: str, default: str = "") -> str:
        values = self.get(key)
        return values[0] if values else default


def public_request_url(public_url: str, path: str, raw_query: bytes) -> str:
    url = public_url.rstrip("/") + path
    return f"{url}?{raw_query.decode('latin-1')}" if raw_query else url


def verify(auth_token: str, url: str, body: str, headers: dict[str, str]) -> FormParams:
    """Return the form parameters of a genuine Twilio request; raise SignatureError."""
    signature = headers.get(SIGNATURE_HEADER.lower(), "")
    if not signature:
        raise SignatureError("no X-Twilio-Signature header")
    if not auth_token:
        raise SignatureError("no Auth Token configured to check the signature with")
    algorithm = get_signature_algorithm(headers.get(SIGNATURE_SETTINGS_HEADER.lower()))
    validator = RequestValidator(auth_token)
    signed_body = "bodySHA256" in parse_qs(url.partition("?")[2])
    params = FormParams() if signed_body else FormParams.parse(body)
    if not validator.validate(url, body if signed_body else params, signature, algorithm):
        raise SignatureError(f"X-Twilio-Signature does not match {url}")
    return params


async def verified_form(request: Request, auth_token: str, public_url: str) -> FormParams | Response:
    """The form of a genuine Twilio webhook request, or the response refusing it."""
    if not public_url:
        log.error("twilio webhook %s refused: server.public_url is not set (Twilio signs "
                  "the public URL, so it cannot be checked without it)", request.url.path)
        return PlainTextResponse("server not configured for Twilio", status_code=503)
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return PlainTextResponse("request too large", status_code=413)
    url = public_request_url(public_url, request.url.path, request.scope.get("query_string", b""))
    try:
        return verify(auth_token, url, body.decode("utf-8", "replace"), dict(request.headers))
    except SignatureError as e:
        client = request.client.host if request.client else "?"
        log.warning("twilio webhook %s from %s refused (403): %s", request.url.path, client, e)
        return PlainTextResponse("forbidden", status_code=403)
