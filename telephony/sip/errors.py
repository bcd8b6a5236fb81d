"""Errors raised by the SIP user agent server."""

from __future__ import annotations


class SipError(Exception):
    """Base class of every error raised by ``telephony.sip``."""


class ParseError(SipError):
    """A message that cannot be accepted as it stands.

    ``status`` is the response a UAS owes a request that failed this way (400 by default,
    505 for an unknown protocol version, 513 for an oversized message).
    """

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class SdpError(SipError):
    """An SDP body that cannot be read or answered."""


class CallEndedError(SipError):
    """An operation on a call that has already ended."""


class TransferError(SipError):
    """A REFER that the far end refused or never confirmed."""
