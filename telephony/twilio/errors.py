"""Errors of the Twilio adapter. Twilio's JSON and mu-law never leave this package."""

from __future__ import annotations

from telephony.web.twilio_signature import SignatureError

__all__ = ["FrameError", "SignatureError", "StreamTokenError", "TwilioError"]


class TwilioError(Exception):
    """Base of the Twilio adapter's errors."""


class StreamTokenError(TwilioError):
    """A media stream's `start` carries no valid stream token (socket closed 1008)."""


class FrameError(TwilioError):
    """One websocket message is not a usable Media Streams frame (skipped, counted)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code  # machine-readable: "bad_json", "bad_base64", ...
