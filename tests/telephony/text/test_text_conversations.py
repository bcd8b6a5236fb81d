"""Text conversations through the registry: the real dialog engine, a real SQLite store, the
server's hooks (PCI guard, CSAT) and its handoff service; no model, no audio object."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dialog.factory import build_engine
from dialog.types import DialogEngine, Reply, Session
from telephony.auth.types import Role, User
from telephony.contact_center.board import Board
from telephony.contact_center.handoff import HandoffService
from telephony.conversations.conversation import Conversation
from telephony.conversations.errors import ConversationClosed
from telephony.conversations.registry import CallRegistry
from telephony.conversations.services import ConversationServices
from telephony.conversations.store import CallStore
from telephony.core.config import HotlineConfig
from telephony.server.services import install_hooks, open_store
from telephony.text.conversations import TextConversations
from tests.helpers import EMBED_CACHE, TESTDATA
from tests.telephony.text_helpers import Transcript

KNOWN_CALLER = "+15550100002"  # a demo customer with order 10251
ADMIN = User(id=1, name="ada", role=Role.ADMIN)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> DialogEngine:
    return build_engine(data_dir=tmp_path_factory.mktemp("text-demo"),
                        guidelines_path=TESTDATA / "domain/abcd/guidelines.json",
                        cache_dir=EMBED_CACHE)


@dataclass
class Floor:
    """The parts of a server a text conversation meets."""

    calls: CallRegistry
    texts: TextConversations
    handoff: HandoffService
    store: CallStore
    data: Path


@pytest.fixture
async def floor(tmp_path: Path, engine: DialogEngine) -> AsyncIterator[Floor]:
    base = HotlineConfig()
    cfg = dataclasses.replace(base, server=dataclasses.replace(base.server, data_dir=str(tmp_path)))
    store = await asyncio.to_thread(open_store, tmp_path / "hotline.db")
    calls = CallRegistry(ConversationServices(config=cfg, engine=engine, store=store))
    install_hooks(calls, cfg)
    handoff = HandoffService(calls, cfg.routing)
    yield Floor(calls, TextConversations(calls), handoff, store, tmp_path)
    await calls.hang_up_all("test_over")
    await handoff.close()
    await asyncio.to_thread(store.close)


async def _rows(store: CallStore, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    return await store.run(lambda c: [tuple(r) for r in c.execute(sql, args)])


async def test_a_chat_is_stored_like_a_call_turn_by_turn(floor: Floor) -> None:
    chat = Transcript()
    conv = await floor.texts.open(chat, KNOWN_CALLER, caller_verified=True)
    assert type(conv) is Conversation  # no pipeline, recorder or bridge
    assert floor.calls.active[conv.call_id] is conv and conv.call_id in floor.texts
    said = ["where is my order", "that's all, goodbye", "5"]
    replies = [await floor.texts.send(conv.call_id, text) for text in said]
    assert replies[0] is not None and "10251" in replies[0].text
    assert replies[-1] is not None and replies[-1].end_call

    assert chat.closed_with == "agent_hangup" and chat.over.is_set()
    assert conv.call_id not in floor.calls.active and conv.call_id not in floor.texts
    assert conv.task is None and conv.end_reason == "agent_hangup" and conv.ended_at is not None
    record = await floor.store.call(conv.call_id)
    assert record is not None
    assert (record["transport"], record["caller_id"], record["recording"], record["end_reason"]) == (
        "chat", KNOWN_CALLER, None, "agent_hangup")
    assert record["ended_at"] >= record["started_at"]
    turns = await floor.store.turns(conv.call_id)
    assert [t["speaker"] for t in turns] == ["agent", "caller"] * 3 + ["agent"]
    assert [t["text"] for t in turns if t["speaker"] == "caller"] == said
    assert [t["text"] for t in turns if t["speaker"] == "agent"] == chat.texts  # as delivered
    lookup = turns[2]
    assert lookup["meta"]["intent"] == "order_status"
    assert any(c.get("tool") == "lookup_order" for c in lookup["meta"]["tool_calls"])
    assert turns[0]["latency"] == {} and lookup["latency"]["dialog_ms"] > 0  # greeting untimed
    # the CSAT hook stored the survey answer, as on a call
    assert await _rows(floor.store, "SELECT score, channel FROM surveys WHERE call_id = ?",
                       conv.call_id) == [(5, "chat")]
    assert not (floor.data / "recordings").exists()
    with pytest.raises(ConversationClosed):
        await floor.texts.send(conv.call_id, "hello?")


async def test_card_numbers_typed_in_a_chat_are_never_stored(floor: Floor) -> None:
    conv = await floor.texts.open(Transcript(), greet=False)
    await floor.texts.send(conv.call_id, "my card number is 4111 1111 1111 1111")
    await floor.texts.close(conv.call_id, "caller_hangup")
    caller = [t for t in await floor.store.turns(conv.call_id) if t["speaker"] == "caller"]
    assert len(caller) == 1 and "4111" not in caller[0]["text"] and "<CARD>" in caller[0]["text"]
    assert caller[0]["meta"]["redacted"] == ["card"]
    assert (await floor.store.call(conv.call_id) or {})["end_reason"] == "caller_hangup"


async def test_messages_of_one_conversation_are_answered_one_at_a_time(floor: Floor) -> None:
    chat = Transcript()
    conv = await floor.texts.open(chat, greet=False)
    said = ["where is my order", "what is your return policy", "I want a refund"]
    await asyncio.gather(*(floor.texts.send(conv.call_id, text) for text in said))
    turns = await floor.store.turns(conv.call_id)
    assert [t["speaker"] for t in turns] == ["caller", "agent"] * 3
    assert [t["text"] for t in turns if t["speaker"] == "caller"] == said
    assert len(chat.replies) == 3


async def test_an_escalated_chat_waits_in_the_handoff_queue_without_audio(floor: Floor) -> None:
    chat = Transcript()
    conv = await floor.texts.open(chat, KNOWN_CALLER, caller_verified=True)
    await floor.texts.send(conv.call_id, "where is my order")
    reply = await floor.texts.send(conv.call_id, "I want to talk to a human")
    assert reply is not None and reply.escalate

    waiting = await floor.handoff.queues.waiting()
    assert [e.call_id for e in waiting] == [conv.call_id]
    package = waiting[0].package
    assert package["channel"] == "chat" and package["caller_id"] == KNOWN_CALLER
    assert package["reason"] == "caller asked for a human" and package["queue"] == "general"
    assert [t["text"] for t in package["transcript"] if t["speaker"] == "caller"] == [
        "where is my order", "I want to talk to a human"]
    record = await floor.store.call(conv.call_id) or {}
    assert record["meta"]["queue"] == "general" and record["meta"]["escalated"] is True
    events = await _rows(floor.store, "SELECT kind FROM call_events WHERE call_id = ?", conv.call_id)
    assert events == [("handoff_queued",)]

    board = await Board(floor.calls, floor.handoff, ADMIN).snapshot()
    row = next(r for r in board["calls"] if r["call_id"] == conv.call_id)
    assert (row["channel"], row["mode"], row["handler"], row["supervised"]) == (
        "chat", "hold", "waiting", "off")
    # asked again while waiting: still one place in the queue
    await floor.texts.send(conv.call_id, "I want to talk to a human")
    assert [e.call_id for e in await floor.handoff.queues.waiting()] == [conv.call_id]

    async def no_peer(live: Any) -> Any:
        raise AssertionError("a text conversation must not get a voice peer")

    with pytest.raises(LookupError, match="chat conversation"):
        await floor.handoff.answer(conv.call_id, "ann", no_peer)
    assert [e.call_id for e in await floor.handoff.queues.waiting()] == [conv.call_id]  # still waiting

    await floor.texts.close(conv.call_id, "caller_hangup")
    assert await floor.handoff.queues.waiting() == [] and conv.call_id not in floor.handoff.packages


class _HeldEngine:
    """The real engine, held before answering until the test lets it go."""

    def __init__(self, inner: DialogEngine) -> None:
        self.inner = inner
        self.asked = asyncio.Event()
        self.go = asyncio.Event()

    async def greet(self, session: Session) -> Reply:
        return await self.inner.greet(session)

    async def respond(self, session: Session, text: str) -> Reply:
        self.asked.set()
        await self.go.wait()
        return await self.inner.respond(session, text)

    async def on_dtmf(self, session: Session, digits: str) -> Reply | None:
        return await self.inner.on_dtmf(session, digits)


async def test_shutdown_closes_open_chats_with_a_reason(floor: Floor, engine: DialogEngine) -> None:
    held = _HeldEngine(engine)
    floor.calls.services.engine = held
    idle, busy = Transcript(), Transcript()
    idle_conv = await floor.texts.open(idle, greet=False)
    busy_conv = await floor.texts.open(busy, greet=False)
    sending = asyncio.create_task(floor.texts.send(busy_conv.call_id, "where is my order"))
    await asyncio.wait_for(held.asked.wait(), 10)

    await floor.calls.hang_up_all("server_shutdown")  # what the app's lifespan does

    with pytest.raises(ConversationClosed):
        await sending  # the message in flight was cancelled, not answered after the end
    assert idle.closed_with == busy.closed_with == "server_shutdown"
    assert busy.replies == [] and floor.calls.active == {}
    for conv in (idle_conv, busy_conv):
        record = await floor.store.call(conv.call_id) or {}
        assert record["end_reason"] == "server_shutdown" and record["ended_at"] is not None
    turns = await floor.store.turns(busy_conv.call_id)
    assert [t["speaker"] for t in turns] == ["caller"]  # kept; no reply after the close
