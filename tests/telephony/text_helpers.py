"""A text channel that keeps what it was sent (the far end of a chat), for text tests."""

from __future__ import annotations

import asyncio

from dialog.types import Reply
from telephony.conversations.conversation import Conversation


class Transcript:
    """Implements telephony.text.channel.TextChannel: replies out are kept, in order."""

    name = "chat"

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.closed_with: str | None = None
        self.over = asyncio.Event()

    async def deliver(self, conversation: Conversation, reply: Reply) -> None:
        self.replies.append(reply)

    async def closed(self, conversation: Conversation, reason: str) -> None:
        self.closed_with = reason
        self.over.set()

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.replies]
