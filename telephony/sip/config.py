"""Configuration of the SIP server, parsed once into a frozen dataclass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from telephony.core.config import SipSection


@dataclass(frozen=True)
class SipConfig:
    """Where and how the SIP user agent server listens and whom it lets in.

    ``public_host`` is the address written into SDP and Contact (defaults to ``bind_host``).
    ``auth_users`` maps user name to password; empty means no digest authentication.
    ``allow_from`` lists source networks (CIDR or address); empty means everyone.
    """

    bind_host: str = "127.0.0.1"
    bind_port: int = 5060
    public_host: str | None = None
    rtp_port_min: int = 20000
    rtp_port_max: int = 20999
    auth_users: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    auth_realm: str = "hotline"
    allow_from: tuple[str, ...] = ()
    max_calls: int = 50
    answer_delay_s: float = 0.0
    on_call_grace_s: float = 5.0
    transfer_timeout_s: float = 32.0
    t1_s: float = 0.5
    t2_s: float = 4.0
    t4_s: float = 5.0
    rtp_latch: str = "once"  # "once": the first source at the SDP/signalling IP, then locked; "strict"
    rtp_timeout_s: float = 60.0  # no RTP this long (not on hold) ends the call; 0 = never
    ack_timeout_s: float = 8.0  # an answered INVITE without ACK frees its slot after this
    invite_rate: float = 5.0  # new INVITEs per second per source IP (pike-like), on average
    invite_burst: int = 20  # ... and in a burst; beyond it they are dropped unanswered
    auth_failures: int = 5  # wrong credentials per source before it is refused (403)
    auth_lockout_s: float = 60.0  # how long, doubling per further lockout (capped at 1 hour)
    # encryption (docs/sip.md, "TCP, TLS and SRTP")
    tcp_port: int | None = None  # SIP over TCP on this port (0 = any free one); None = off
    tls_port: int | None = None  # SIP over TLS on this port (0 = any free one); None = off
    tls_cert: str = ""  # PEM certificate chain presented to peers
    tls_key: str = ""  # its PEM private key
    tls_ca: str = ""  # PEM CA bundle that signs peers' certificates (for tls_verify_peer)
    tls_verify_peer: bool = False  # require a client certificate signed by tls_ca (mutual TLS)
    stream_idle_s: float = 300.0  # a TCP/TLS connection carrying no call closes after this idle
    stream_max_per_source: int = 64  # open TCP/TLS connections per source IP
    srtp: str = "off"  # "off": plain RTP only; "optional": SDES SRTP when offered; "required"
    srtp_insecure_signalling: bool = False  # also exchange SDES keys over UDP/TCP (cleartext!)

    @property
    def advertised_host(self) -> str:
        return self.public_host or self.bind_host


def from_section(section: SipSection) -> SipConfig:
    """The SIP stack's settings from config.toml's [sip] section."""
    users = dict(u.split(":", 1) for u in section.auth_users)
    return SipConfig(bind_host=section.bind_host, bind_port=section.bind_port,
                     public_host=section.public_host or None, rtp_port_min=section.rtp_port_min,
                     rtp_port_max=section.rtp_port_max, max_calls=section.max_calls,
                     auth_users=MappingProxyType(users), auth_realm=section.auth_realm,
                     allow_from=section.allow_from, answer_delay_s=section.answer_delay_s,
                     rtp_latch=section.rtp_latch, rtp_timeout_s=section.rtp_timeout_s,
                     ack_timeout_s=section.ack_timeout_s, invite_rate=section.invite_rate,
                     invite_burst=section.invite_burst, auth_failures=section.auth_failures,
                     auth_lockout_s=section.auth_lockout_s,
                     tcp_port=section.tcp_port if section.tcp else None,
                     tls_port=section.tls_port if section.tls else None,
                     tls_cert=section.tls_cert, tls_key=section.tls_key, tls_ca=section.tls_ca,
                     tls_verify_peer=section.tls_verify_peer, srtp=section.srtp,
                     srtp_insecure_signalling=section.srtp_insecure_signalling)
