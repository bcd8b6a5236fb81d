"""One conversation across channels: a customer's earlier conversations, for the brain's
greeting and the agent's handoff card (docs/webchat.md, "One customer, every channel").

The link is the customer id each conversation's record gets as it closes
(`meta.customer_id`, with `meta.identity_verified`; telephony/contact_center/customers.py),
whatever the channel and however the customer was recognised: a verified caller id (SIP,
Twilio), a signed-in web user, an identity check in the conversation. Nothing else is
stored, so retention and erasure (telephony/privacy/) remove the link with the records.

As a conversation opens (the registry's `prepare` hook, before the greeting), a customer the
entrance vouches for (`Session.caller_verified`: a trusted trunk, a signed identity token)
is looked up by the number on file, and their last `RECENT` conversations that were
themselves tied to them with a verified identity are put on the session
(`Session.earlier_contacts`, dialog/earlier.py), each with a topic from its turns: the order
it was about, else what it was about. A caller who only names an account gets nothing.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from dialog.earlier import EarlierContact
from kb.db import Connection
from telephony.contact_center.customers import CustomerDirectory
from telephony.conversations.conversation import Conversation
from telephony.conversations.registry import CallRegistry
from telephony.conversations.store import CallStore

log = logging.getLogger(__name__)
RECENT = 3
ORDER = re.compile(r"\border (?:number )?#?(\d{4,})\b", re.IGNORECASE)
TOPICS = {"order_status": "an order", "cancel_order": "cancelling an order", "refund": "a refund",
          "return_item": "a return", "billing": "a bill", "complaint": "a complaint"}


def topic_of(turns: list[dict[str, Any]]) -> str | None:
    """The order a conversation was about, else the first thing asked, as words."""
    for turn in turns:
        match = ORDER.search(turn.get("text") or "")
        if match and turn.get("speaker") == "agent":
            return f"order {match.group(1)}"
    for turn in turns:
        intent = (turn.get("meta") or {}).get("intent")
        if turn.get("speaker") == "agent" and intent in TOPICS:
            return TOPICS[intent]
    return None


async def earlier_contacts(store: CallStore, customer_id: str, *, but: str) -> list[EarlierContact]:
    def q(c: Connection) -> list[Any]:
        return c.execute(
            "SELECT id, transport, started_at FROM calls WHERE id != ? AND ended_at IS NOT NULL "
            "AND json_extract(meta, '$.customer_id') = ? AND json_extract(meta, '$.identity_verified') "
            "ORDER BY started_at DESC LIMIT ?", (but, customer_id, RECENT)).fetchall()

    rows = await store.run(q)
    return [EarlierContact(channel=r["transport"], started_at=r["started_at"],
                           topic=topic_of(await store.turns(r["id"])), call_id=r["id"]) for r in rows]


def install(calls: CallRegistry, directory: CustomerDirectory) -> None:
    """Give each vouched-for customer's conversation their earlier ones, before it greets."""

    async def prepare(conv: Conversation) -> None:
        if not conv.session.caller_verified or not conv.caller_id:
            return
        customer = await directory.by_phone(conv.caller_id)
        if customer is None:
            return
        conv.session.earlier_contacts = await earlier_contacts(
            calls.services.store, customer.customer_id, but=conv.call_id)
        if conv.session.earlier_contacts:
            log.info("call %s: %d earlier conversation(s) of this customer", conv.call_id,
                     len(conv.session.earlier_contacts))

    calls.prepare.append(prepare)
