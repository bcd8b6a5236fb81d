"""Where a message came from and where its answers go: transport and the far end's address."""

from __future__ import annotations

from dataclasses import dataclass

TRANSPORTS = ("udp", "tcp", "tls")


@dataclass(frozen=True)
class Flow:
    """A UDP source address, or one TCP/TLS connection (by its far end's address).

    Responses and in-dialog requests go back on the flow a dialog's INVITE came on
    (RFC 3261 18.2.2: over a stream, on the same connection)."""

    transport: str  # "udp", "tcp" or "tls"
    addr: tuple[str, int]

    @property
    def reliable(self) -> bool:
        """A stream transport: no request or non-2xx retransmissions (RFC 3261 17.1.2.2)."""
        return self.transport != "udp"

    @property
    def secure(self) -> bool:
        """Signalling that may carry SDES keys (RFC 4568 8.3: only over a secure channel)."""
        return self.transport == "tls"

    @property
    def via(self) -> str:
        return self.transport.upper()

    def uri_params(self) -> str:
        """The ``;transport=`` parameter of a Contact reachable on this transport."""
        return "" if self.transport == "udp" else f";transport={self.transport}"
