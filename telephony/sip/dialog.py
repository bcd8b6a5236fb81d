"""The UAS side of a dialog (RFC 3261 12): identifiers, CSeq, route set, request building."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field

from telephony.sip.message import SipRequest, serialize


def new_tag() -> str:
    return secrets.token_hex(6)


def new_branch() -> str:
    return "z9hG4bK" + secrets.token_hex(8)


@dataclass
class Dialog:
    call_id: str
    local_tag: str
    remote_tag: str
    local_party: str  # our To value, with our tag: the From of our requests
    remote_party: str  # their From value, with their tag: the To of our requests
    remote_target: str
    route_set: list[str]
    remote_cseq: int
    contact: str
    local_cseq: int = field(default_factory=lambda: random.randrange(1, 10_000))

    @classmethod
    def from_invite(cls, invite: SipRequest, local_tag: str, contact: str) -> Dialog:
        to_value = invite.headers.get("To") or ""
        target = invite.contact.uri.raw if invite.contact else invite.from_.uri.raw
        return cls(
            call_id=invite.call_id,
            local_tag=local_tag,
            remote_tag=invite.from_.tag or "",
            local_party=f"{to_value};tag={local_tag}",
            remote_party=invite.headers.get("From") or "",
            remote_target=target,
            route_set=invite.headers.get_all("Record-Route"),
            remote_cseq=invite.cseq,
            contact=contact,
        )

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.call_id, self.local_tag, self.remote_tag)

    def request(
        self, method: str, via_host: str, via_port: int,
        extra: list[tuple[str, str]] | None = None, body: bytes = b"", transport: str = "UDP",
    ) -> tuple[bytes, str]:  # fmt: skip
        """A new in-dialog request and its branch."""
        self.local_cseq += 1
        branch = new_branch()
        headers = [
            ("Via", f"SIP/2.0/{transport} {via_host}:{via_port};branch={branch};rport"),
            ("Max-Forwards", "70"),
            ("From", self.local_party),
            ("To", self.remote_party),
            ("Call-ID", self.call_id),
            ("CSeq", f"{self.local_cseq} {method}"),
            ("Contact", self.contact),
        ]
        headers += [("Route", route) for route in self.route_set]
        headers += extra or []
        return serialize(f"{method} {self.remote_target} SIP/2.0", headers, body), branch
