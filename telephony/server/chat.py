"""`hotline chat`: the terminal as a text channel, on the server's brain and records.

The dialog engine, the call store and the conversation hooks (PCI guard, CSAT) are the
server's, on the same data dir: the conversation is stored like a call (channel "chat")
and shows up in the QA console and the KPIs. No voice model is loaded: a text
conversation has no audio.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from typing import TextIO

from telephony.conversations.registry import CallRegistry
from telephony.conversations.services import ConversationServices
from telephony.core.config import HotlineConfig
from telephony.server.services import build_engine, install_hooks, open_store
from telephony.text.console import ConsoleChat
from telephony.text.conversations import TextConversations

log = logging.getLogger(__name__)


async def chat(cfg: HotlineConfig, *, caller_id: str | None = None, verified: bool = False,
               json_mode: bool = False,
               stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
               progress: Callable[[str], None] | None = None) -> str:
    """Converse on stdin/stdout until goodbye or end of input; returns the conversation id.
    `caller_id` names an account; with `verified` the operator vouches for it (a test of a
    trusted entrance), else the agent asks for a second fact (docs/dialog.md)."""
    say = progress or log.info
    say("loading the dialog engine ...")
    engine = await asyncio.to_thread(build_engine, cfg)
    store = await asyncio.to_thread(open_store, cfg.data_path / "hotline.db")
    services = ConversationServices(config=cfg, engine=engine, store=store)
    calls = CallRegistry(services)
    install_hooks(calls, cfg)
    try:
        conv = await ConsoleChat(stdin, stdout, json_mode=json_mode).run(
            TextConversations(calls), caller_id, caller_verified=verified)
    finally:
        await calls.hang_up_all("caller_hangup")  # interrupted (Ctrl-C): still closed
        await asyncio.to_thread(services.close)
    return conv.call_id
