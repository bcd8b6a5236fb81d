"""The contract every text channel implements: replies out, and word that it is over.

Messages come in the other way: the channel calls `TextConversations.open` when a customer
starts writing, `send` for each message, and `close` when the customer leaves
(telephony/text/conversations.py). A channel is one small class in its own folder
(`console/ConsoleChat` is `hotline chat`; web chat, SMS and email follow the same shape).
"""

from __future__ import annotations

from typing import Protocol

from dialog.types import Reply
from telephony.conversations.conversation import Conversation


class TextChannel(Protocol):
    # stored as the conversation's channel (calls.transport): "chat", "sms", "email", ...
    name: str

    async def deliver(self, conversation: Conversation, reply: Reply) -> None:
        """Send one agent reply to the customer (print it, post it, text it, mail it)."""
        ...

    async def closed(self, conversation: Conversation, reason: str) -> None:
        """The conversation ended, whoever ended it (the brain's goodbye: `agent_hangup`,
        the customer: `caller_hangup`, an agent, `server_shutdown`): take no more messages."""
        ...
