"""Admission policy: source allow-list, URI scheme, Require, digest authentication."""

from __future__ import annotations

import ipaddress

from telephony.sip.auth import DigestAuth
from telephony.sip.config import SipConfig
from telephony.sip.grammar import split_top
from telephony.sip.guard import SourceGuard
from telephony.sip.message import SipRequest

SCHEMES = ("sip", "sips", "tel")
SUPPORTED_EXTENSIONS: frozenset[str] = frozenset()
Refusal = tuple[int, list[tuple[str, str]]]


class Policy:
    def __init__(self, config: SipConfig, guard: SourceGuard) -> None:
        self.guard = guard
        self._networks = [ipaddress.ip_network(net, strict=False) for net in config.allow_from]
        self.auth = DigestAuth(config.auth_users, config.auth_realm) if config.auth_users else None

    def allowed(self, source_ip: str) -> bool:
        if not self._networks:
            return True
        try:
            address = ipaddress.ip_address(source_ip)
        except ValueError:
            return False
        return any(address in net for net in self._networks)

    def check(self, req: SipRequest, source_ip: str) -> Refusal | None:
        """The refusal (status, extra headers) RFC 3261 8.2.2 and 22 call for, or None."""
        if req.uri.scheme not in SCHEMES:
            return 416, []
        if req.method not in ("ACK", "CANCEL"):
            required = [
                t.strip() for v in req.headers.get_all("Require") for t in split_top(v, ",")
            ]
            unsupported = [t for t in required if t.lower() not in SUPPORTED_EXTENSIONS]
            if unsupported:
                return 420, [("Unsupported", ", ".join(unsupported))]
        if self.auth is not None and req.method == "INVITE" and req.to.tag is None:
            return self._authenticate(req, source_ip, self.auth)
        return None

    def _authenticate(self, req: SipRequest, source_ip: str, auth: DigestAuth) -> Refusal | None:
        """401 with a fresh challenge; wrong credentials count against the source, which is
        refused (403) while locked out (SourceGuard.auth_failed)."""
        if self.guard.auth_blocked(source_ip):
            return 403, []
        header = req.headers.get("Authorization")
        if header is not None:
            if auth.verify(header, req.method, req.uri.raw) is not None:
                self.guard.auth_succeeded(source_ip)
                return None
            self.guard.auth_failed(source_ip)
        return 401, [("WWW-Authenticate", auth.challenge())]
