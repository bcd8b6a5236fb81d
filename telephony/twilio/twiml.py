"""TwiML answering an incoming call: <Connect><Stream> to our media websocket."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

from twilio.twiml.voice_response import Connect, Stream, VoiceResponse

# What the dialog gets to know about the caller, copied from the voice webhook's
# form into <Parameter>s (never into the stream URL, which Twilio logs).
FORWARDED_PARAMS = ("CallSid", "AccountSid", "From", "To", "Direction", "CallerName",
                    "ForwardedFrom", "FromCity", "FromState", "FromCountry")
MAX_PARAM_CHARS = 256


def stream_url(public_url: str, media_path: str) -> str:
    """https://host/prefix + /twilio/media -> wss://host/prefix/twilio/media"""
    parts = urlsplit(public_url.rstrip("/"))
    scheme = "wss" if parts.scheme in ("https", "wss") else "ws"
    return urlunsplit((scheme, parts.netloc, parts.path + media_path, "", ""))


def stream_parameters(form: Mapping[str, list[str]]) -> dict[str, str]:
    params: dict[str, str] = {}
    for name in FORWARDED_PARAMS:
        values = form.get(name)
        if values and values[0]:
            params[name] = values[0][:MAX_PARAM_CHARS]
    return params


def connect_stream(url: str, parameters: Mapping[str, str]) -> str:
    response = VoiceResponse()
    connect = Connect()
    stream = Stream(url=url)
    for name, value in parameters.items():
        stream.parameter(name=name, value=value)
    connect.append(stream)
    response.append(connect)
    return str(response)


def unavailable(message: str) -> str:
    """Said to the caller when the server cannot take the call (then Twilio hangs up)."""
    response = VoiceResponse()
    response.say(message)
    response.hangup()
    return str(response)
