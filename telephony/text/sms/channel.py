"""SMS and WhatsApp as text channels: the brain's replies rendered and sent by REST.

One `SmsChannel` per medium ("sms", "whatsapp": stored as the conversation's channel).
SMS replies are split into at most `[sms].max_parts` single-segment messages
(telephony/text/render.py); WhatsApp has no segments, so it gets the written form (short
paragraphs, links), within Twilio's 1,600-character body. The conversation's caller id
is the bare number; the address is rebuilt from it and the channel.
"""

from __future__ import annotations

from collections.abc import Callable

from dialog.types import Reply
from telephony.conversations.conversation import Conversation
from telephony.text import render
from telephony.text.sms.inbound import WHATSAPP_PREFIX
from telephony.text.sms.outbox import Outbox
from telephony.text.timing import ReplyTimes

WHATSAPP_MAX_CHARS = 1600


class SmsChannel:
    def __init__(self, name: str, outbox: Outbox, senders: dict[str, str], times: ReplyTimes,
                 on_closed: Callable[[Conversation, str], None]) -> None:
        self.name = name  # "sms" or "whatsapp"
        self._outbox = outbox
        self._senders = senders  # call_id -> our number the customer wrote to
        self._times = times
        self._on_closed = on_closed

    def address(self, conversation: Conversation) -> str:
        number = conversation.caller_id or ""
        return WHATSAPP_PREFIX + number if self.name == "whatsapp" else number

    def parts(self, reply: Reply) -> list[str]:
        if self.name == "whatsapp":
            return [render.written_within(reply, WHATSAPP_MAX_CHARS)]
        return render.sms(reply, self._outbox.cfg.max_parts).parts

    # --- TextChannel ---
    async def deliver(self, conversation: Conversation, reply: Reply) -> None:
        address = self.address(conversation)
        sender = self._senders.get(conversation.call_id) or self._outbox.sender(address)
        if await self._outbox.send(address, sender, self.parts(reply), conversation.call_id):
            self._times.reply_out(self.name, conversation.call_id)

    async def closed(self, conversation: Conversation, reason: str) -> None:
        self._senders.pop(conversation.call_id, None)
        self._times.waiting.pop(conversation.call_id, None)
        self._on_closed(conversation, reason)
