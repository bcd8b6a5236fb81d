"""Who the customer is, for the agent's handoff card and the call's record.

A conversation's customer is the one the AI tied it to (`Session.identified_customer`:
from the caller id, a detail the caller gave, or an identity check), else the one whose
phone on file is the caller id. How far that is verified (docs/dialog.md, "Identity and
disclosure") is said with it:
  identity check passed       the AI's `verify_identity` matched enough facts
  caller id vouched for       the entrance vouches for the number (`Session.caller_verified`)
  named, not verified         the AI was given a detail that names the account
  caller id on file           the number matches a customer; nobody verified the caller
The customer store's methods are blocking: they run in a worker thread.

At hang-up (`install`) the customer id goes into the call's `meta.customer_id` (with
`meta.identified_by`), so QA and the KPIs count contacts per customer (qa/outcome.py).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass
from typing import Any

from kb.adapters import Customer, CustomerStore
from telephony.contact_center.handoff_meta import update_call_meta
from telephony.conversations.conversation import Conversation
from telephony.conversations.registry import CallRegistry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CustomerCard:
    customer_id: str
    name: str
    tier: str
    method: str  # how the customer was found and how far that is verified (see above)
    verified: bool
    identified_by: str  # "ai" | "caller_id"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _identity_checked(turns: list[dict[str, Any]]) -> bool:
    return any(isinstance(c, dict) and c.get("tool") == "verify_identity" and c.get("status") == "verified"
               for t in turns for c in (t.get("meta") or {}).get("tool_calls") or [])


class CustomerDirectory:
    def __init__(self, store: CustomerStore) -> None:
        self._store = store

    async def by_id(self, customer_id: str) -> Customer | None:
        return await asyncio.to_thread(self._store.by_id, customer_id)

    async def by_phone(self, phone: str) -> Customer | None:
        return await asyncio.to_thread(self._store.by_phone, phone)

    async def card(self, conv: Conversation, turns: list[dict[str, Any]]) -> CustomerCard | None:
        """The conversation's customer as the card shows it, or None (not identified)."""
        session = conv.session
        vouched = session.caller_verified and bool(conv.caller_id)
        on_file = await self.by_phone(conv.caller_id) if conv.caller_id else None
        ai_id = session.identified_customer()
        ai = await self.by_id(ai_id) if ai_id else None
        if ai is not None:
            if _identity_checked(turns):
                method, verified = "identity check passed", True
            elif vouched and on_file is not None and on_file.customer_id == ai.customer_id:
                method, verified = "caller id vouched for by the line", True
            elif on_file is not None and on_file.customer_id == ai.customer_id:
                method, verified = "caller id on file (not verified)", False
            else:
                method, verified = "named by the caller (not verified)", False
            return CustomerCard(ai.customer_id, ai.full_name, ai.tier, method, verified, "ai")
        if on_file is not None:
            method = "caller id vouched for by the line" if vouched else "caller id on file (not verified)"
            return CustomerCard(on_file.customer_id, on_file.full_name, on_file.tier, method, vouched,
                                "caller_id")
        return None


def install(calls: CallRegistry, directory: CustomerDirectory) -> None:
    """Record each conversation's customer in its call record as it closes."""

    async def record(conv: Conversation) -> None:
        try:
            card = await directory.card(conv, await calls.services.store.turns(conv.call_id))
        except Exception:  # the record is closed already; a lookup failure must not spread
            log.exception("call %s: could not look the customer up", conv.call_id)
            return
        if card is not None:
            await update_call_meta(calls.services.store, conv.call_id, {
                "customer_id": card.customer_id, "identified_by": card.identified_by,
                "identity_verified": card.verified})

    calls.on_close.append(record)
