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
                     auth_lockout_s=section.auth_lockout_s)
