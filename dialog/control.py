"""What the brain may do to the call it is in: hang up, transfer, and whether it can transfer.

Telephony implements `CallControl` once per transport (telephony/conversations/control.py) and puts it
on `Session.control` when the call opens; text channels (web chat, SMS) leave it None. The
dialog layer only sees this protocol, never a transport.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class CallControl(Protocol):
    """One live call's controls. Methods must not block the event loop."""

    @property
    def can_transfer(self) -> bool:
        """True when `transfer` can hand the call to an external number or SIP address."""
        ...

    async def hang_up(self, reason: str = "agent_hangup") -> None:
        """End the call; `reason` becomes the call record's end reason."""
        ...

    async def transfer(self, target: str) -> bool:
        """Blind-transfer the caller to `target` (a SIP URI or phone number).

        True once the far end accepted it (the call then ends with reason `transferred`);
        False when this transport cannot transfer or the transfer failed (the call stays up).
        """
        ...
