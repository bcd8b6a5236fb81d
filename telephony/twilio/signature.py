"""X-Twilio-Signature verification against the configured public URL.

Behind a reverse proxy the Host header and scheme the app sees are not what
Twilio signed, so the URL is always `server.public_url` + the request path and
raw query: a client cannot pick the URL it is checked against.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, parse_qsl

from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from telephony.twilio.errors import SignatureError

log = logging.getLogger(__name__)


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
