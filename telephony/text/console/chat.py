"""The terminal as a text channel: lines from stdin in, the agent's replies on stdout.

Interactive mode prints `agent> ...` and prompts `you> `; JSON mode reads one message per
line (plain text or {"text": ...}) and prints each Reply as one JSON line, for scripts and
evals: the lines `python -m dialog.chat` speaks (dialog/chat.py), but the conversation goes
through the registry and is stored like a call (channel "chat").
"""

from __future__ import annotations

import asyncio
from typing import TextIO

from dialog.chat import PROMPT, format_reply, read_message
from dialog.types import Reply
from telephony.conversations.conversation import Conversation
from telephony.conversations.errors import ConversationClosed
from telephony.text.conversations import TextConversations


class ConsoleChat:
    name = "chat"

    def __init__(self, stdin: TextIO, stdout: TextIO, *, json_mode: bool = False) -> None:
        self._in = stdin
        self._out = stdout
        self._json = json_mode
        self._over = False

    # --- TextChannel ---
    async def deliver(self, conversation: Conversation, reply: Reply) -> None:
        self._write(format_reply(reply, self._json) + "\n")

    async def closed(self, conversation: Conversation, reason: str) -> None:
        self._over = True

    # --- the terminal ---
    async def run(self, texts: TextConversations, caller_id: str | None = None, *,
                  caller_verified: bool = False) -> Conversation:
        """Converse until the agent says goodbye or stdin ends (`caller_hangup`)."""
        conv = await texts.open(self, caller_id, caller_verified=caller_verified)
        while not self._over:
            if not self._json:
                self._write(PROMPT)
            line = await asyncio.to_thread(self._in.readline)
            if not line:
                await texts.close(conv.call_id, "caller_hangup")
                break
            try:
                text = read_message(line, self._json)
            except ValueError as e:
                self._write(f"{e}\n")
                continue
            if not text:
                continue
            try:
                await texts.send(conv.call_id, text)
            except ConversationClosed:
                break
        return conv

    def _write(self, text: str) -> None:
        self._out.write(text)
        self._out.flush()
