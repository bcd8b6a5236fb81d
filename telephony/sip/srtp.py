"""SRTP media keyed by SDES (RFC 4568 a=crypto, RFC 3711), on libsrtp through pylibsrtp.

Each call draws its own 30-byte master key and salt for what we send; the caller's key comes
from its offer. Keys live only in the call's media session (never logged, never stored).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass

import pylibsrtp

MASTER_BYTES = 30  # 16-byte AES-128 key + 14-byte salt
SUITES = {  # preferred first
    "AES_CM_128_HMAC_SHA1_80": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
    "AES_CM_128_HMAC_SHA1_32": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_32,
}


@dataclass(frozen=True)
class Crypto:
    """One a=crypto line: ``<tag> <suite> inline:<base64 key||salt>[|lifetime][|MKI:len]``."""

    tag: int
    suite: str
    key: bytes = b""

    def attribute(self) -> str:
        return f"crypto:{self.tag} {self.suite} inline:{base64.b64encode(self.key).decode()}"

    def __repr__(self) -> str:  # a key is a secret: never in a log line or a traceback
        return f"Crypto(tag={self.tag}, suite={self.suite})"


def parse_crypto(value: str) -> Crypto | None:
    """The attribute's value after "crypto:", or None for one we cannot use: an unknown suite,
    an MKI (we key one stream with one master key), several keys, session parameters, or a
    key of the wrong length (RFC 4568 6.1: such a line is skipped, the next one tried)."""
    parts = value.split()
    if len(parts) != 3 or not parts[0].isdigit() or parts[1] not in SUITES:
        return None
    method, _, params = parts[2].partition(":")
    if method.lower() != "inline" or ";" in params:
        return None
    key_text, *extra = params.split("|")
    if any(":" in item for item in extra):  # an MKI
        return None
    try:
        key = base64.b64decode(key_text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(key) != MASTER_BYTES:
        return None
    return Crypto(int(parts[0]), parts[1], key)


def local_crypto(remote: Crypto) -> Crypto:
    """Our answer to the chosen offer line: same tag and suite, a fresh key of our own."""
    return Crypto(remote.tag, remote.suite, secrets.token_bytes(MASTER_BYTES))


class SrtpStream:
    """Protects what we send with our key, authenticates and decrypts what arrives with theirs."""

    def __init__(self, local: Crypto, remote: Crypto) -> None:
        self.local = local
        self.remote = remote
        self._out = _session(local, pylibsrtp.Policy.SSRC_ANY_OUTBOUND)
        self._in = _session(remote, pylibsrtp.Policy.SSRC_ANY_INBOUND)
        self.failures = 0  # packets that failed authentication or replay checks

    def protect(self, rtp: bytes) -> bytes:
        return bytes(self._out.protect(rtp))

    def unprotect(self, srtp: bytes) -> bytes | None:
        """The RTP packet, or None when it is not authentic (a spoof, a replay, a wrong key)."""
        try:
            return bytes(self._in.unprotect(srtp))
        except pylibsrtp.Error:
            self.failures += 1
            return None

    def rekey(self, remote: Crypto) -> None:
        """A re-INVITE's offer: take their (new) key; ours stays unless the suite changed, so
        our packet index runs on and no keystream is used twice."""
        if remote.suite != self.local.suite:
            self.local = local_crypto(remote)
            self._out = _session(self.local, pylibsrtp.Policy.SSRC_ANY_OUTBOUND)
        if remote != self.remote:
            self.remote = remote
            self._in = _session(remote, pylibsrtp.Policy.SSRC_ANY_INBOUND)


def _session(crypto: Crypto, direction: int) -> pylibsrtp.Session:
    policy = pylibsrtp.Policy(key=crypto.key, ssrc_type=direction, srtp_profile=SUITES[crypto.suite])
    return pylibsrtp.Session(policy)
