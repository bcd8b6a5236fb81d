"""SIP user agent server (RFC 3261) with RTP media for Hotline phone calls.

Public surface: :class:`SipServer`, :class:`SipCall`, :class:`SipConfig`, :class:`DtmfDigit`.
"""

from telephony.sip.call import DtmfDigit, SipCall
from telephony.sip.config import SipConfig
from telephony.sip.errors import CallEndedError, ParseError, SipError, TransferError
from telephony.sip.server import SipServer

__all__ = [
    "CallEndedError",
    "DtmfDigit",
    "ParseError",
    "SipCall",
    "SipConfig",
    "SipError",
    "SipServer",
    "TransferError",
]
