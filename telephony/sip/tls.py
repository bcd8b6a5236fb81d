"""The TLS server context for SIP over TLS, from config; a clear error for a bad certificate."""

from __future__ import annotations

import ssl

from telephony.core.errors import ConfigError


def server_context(cert: str, key: str, ca: str = "", verify_peer: bool = False) -> ssl.SSLContext:
    """TLS 1.2 or newer with Python's default ciphers (forward secrecy, AEAD; RFC 7525).

    ``verify_peer`` asks every peer for a certificate signed by ``ca`` (mutual TLS, for trunks
    and PBXs that present one); off, any client may connect and is judged by the SIP policy
    (allow_from, digest) as over UDP."""
    if not cert or not key:
        raise ConfigError("sip.tls_cert and sip.tls_key are both needed for SIP over TLS")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"sip.tls_cert/sip.tls_key: cannot load {cert!r} with {key!r}: {exc}") from exc
    if verify_peer and not ca:
        raise ConfigError("sip.tls_verify_peer needs sip.tls_ca, the CA that signs peers' certificates")
    if ca:
        try:
            context.load_verify_locations(ca)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"sip.tls_ca: cannot load {ca!r}: {exc}") from exc
    context.verify_mode = ssl.CERT_REQUIRED if verify_peer else ssl.CERT_NONE
    return context
