"""Human handoff: escalated calls are routed to a queue, claimed by an agent, bridged.

`HandoffService` (one per app, `app.state.handoff`) plugs into the call registry:
every conversation's `on_escalate` (for a call, through its `CallBridge`; for a text
conversation, telephony/text/conversations.py) reports the dialog's escalating reply here. It routes
the call (telephony/contact_center/routing.py), records `meta.queue`, stores and publishes the
handoff package, and queues the call (telephony/contact_center/queues.py); a text conversation waits in
the same queues with the same package, without any audio object. When an agent answers
a call it claims the call, records `meta.assigned_agent`, joins the agent's WebRTC peer
(telephony/contact_center/desk_peer.py) and switches the bridge to human mode. Staff peers of a
call are owned here and closed when the call closes, and so is the transcriber of the
human side (voice/human_side.py), started when an agent answers, stopped at hang-up. Desk and wallboard
listeners get every change through `subscribe()`.

External transfer: with `routing.external_transfer` set, an escalated call goes to that
number or SIP address instead of a queue when no agent is available (or always, per
`routing.external_transfer_when`), through the call's `Session.control`
(telephony/conversations/control.py). A transport that cannot transfer, or a failed transfer,
falls back to the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from telephony.contact_center.customers import CustomerCard, CustomerDirectory
from telephony.contact_center.desk_peer import PartyPeer
from telephony.contact_center.handoff_meta import update_call_meta
from telephony.contact_center.handoff_package import build_package, dialog_package, routing_facts
from telephony.contact_center.queues import CallQueues, MemoryQueues, QueueEntry
from telephony.contact_center.routing import Router
from telephony.conversations.conversation import Conversation
from telephony.conversations.registry import CallRegistry, LiveCall
from telephony.core.config import RoutingConfig, transfer_target
from voice.human_side import HumanSideTranscriber

log = logging.getLogger(__name__)
PRESENCE = ("available", "busy", "away")
LISTENER_QUEUE = 256
MESSAGE_MAX_S = 15.0  # longest wait for the transfer message before an external transfer


class HandoffService:
    def __init__(self, calls: CallRegistry, cfg: RoutingConfig, queues: CallQueues | None = None,
                 customers: CustomerDirectory | None = None) -> None:
        self.calls = calls
        self.customers = customers  # the handoff card's customer lookup (customers.py)
        self.cfg = cfg
        self.router = Router(cfg.rules, cfg.default_queue)
        self.queues: CallQueues = queues or MemoryQueues(self.router.queues())
        self.presence: dict[str, str] = {}
        self.packages: dict[str, dict[str, Any]] = {}  # live calls' handoff packages
        self.handlers: dict[str, str] = {}  # call id -> agent user name
        self.parties: dict[str, dict[str, PartyPeer]] = {}
        self.transcribers: dict[str, HumanSideTranscriber] = {}
        self._listeners: set[asyncio.Queue[dict[str, Any]]] = set()
        calls.on_open.append(self._attach)
        calls.before_close.append(self._stop_transcriber)
        calls.on_close.append(self._closed)

    # --- live updates for desks and wallboards ---
    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(LISTENER_QUEUE)
        self._listeners.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._listeners.discard(queue)

    def publish(self, message: dict[str, Any]) -> None:
        for queue in list(self._listeners):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(message)

    # --- escalation ---
    def _attach(self, conv: Conversation) -> None:
        async def on_escalate(reply: Any) -> None:
            await self.escalate(conv, reply)

        conv.on_escalate = on_escalate
        if isinstance(conv, LiveCall) and conv.bridge is not None:
            conv.bridge.on_escalate = on_escalate

    async def escalate(self, live: Conversation, reply: Any) -> QueueEntry | None:
        """Queue the conversation for a human; None when it was transferred out instead."""
        if isinstance(live, LiveCall) and live.bridge is not None:
            live.bridge.to_hold()
        if await self._transfer_out(live, reply):
            return None
        turns = await self.calls.services.store.turns(live.call_id)
        card = await self._card(live, turns)
        customer = card.as_dict() if card is not None else dialog_package(reply).get("customer")
        facts = routing_facts(live, reply, {"customer": customer})
        queue, why = self.router.route(facts)
        package = build_package(live, reply, turns, queue, why, card)
        await update_call_meta(self.calls.services.store, live.call_id,
                               {"queue": queue, "escalated": True, "escalation_reason": package["reason"]})
        entry = QueueEntry(call_id=live.call_id, queue=queue, package=package)
        position = await self.queues.enqueue(entry)
        self.packages[live.call_id] = package
        log.info("call %s: escalated (%s) -> queue %s (%s), position %d",
                 live.call_id, package["reason"], queue, why, position)
        await live.event("handoff_queued", queue=queue, routed_by=why, position=position,
                             package=package)
        self.publish({"type": "queued", "entry": entry.as_dict()})
        return entry

    async def _card(self, live: Conversation, turns: list[dict[str, Any]]) -> CustomerCard | None:
        if self.customers is None:
            return None
        try:
            return await self.customers.card(live, turns)
        except Exception:  # the caller still reaches a person without the card
            log.exception("call %s: customer lookup failed", live.call_id)
            return None

    def agents_available(self) -> bool:
        return any(status == "available" for status in self.presence.values())

    async def _transfer_out(self, live: Conversation, reply: Any) -> bool:
        """Transfer to routing.external_transfer when configured and due; True once done."""
        target = transfer_target(self.cfg.external_transfer)
        if not target or (self.cfg.external_transfer_when == "no_agent" and self.agents_available()):
            return False
        control = live.session.control
        if control is None or not control.can_transfer:
            log.info("call %s: %s cannot transfer to %s; queueing instead",
                     live.call_id, live.transport, target)
            await live.event("transferred", target=target, outcome="unsupported",
                             transport=live.transport)
            return False
        await self._message_played(live)
        if not await control.transfer(target):
            return False  # the control recorded why; the caller waits in the queue
        await update_call_meta(self.calls.services.store, live.call_id, {
            "escalated": True, "transferred_to": target,
            "escalation_reason": getattr(reply, "escalation_reason", None)})
        return True

    @staticmethod
    async def _message_played(live: Conversation) -> None:
        """Until the transfer message has been spoken (the bridge's hold point), bounded."""
        if not isinstance(live, LiveCall):
            return  # a text reply is delivered before the escalation is reported
        deadline = time.monotonic() + MESSAGE_MAX_S
        while live.bridge is not None and not live.bridge.hold_ready() and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)

    # --- the agent's side ---
    def set_presence(self, agent: str, status: str) -> None:
        if status not in PRESENCE:
            raise ValueError(f"presence must be one of {', '.join(PRESENCE)}")
        self.presence[agent] = status
        self.publish({"type": "presence", "agent": agent, "status": status})

    async def answer(self, call_id: str, agent: str, peer_factory: Any) -> Any:
        """Claim the call for `agent` and bridge it; `peer_factory(live)` -> (PartyPeer, answer)."""
        live = self.calls.active.get(call_id)
        if live is not None and not isinstance(live, LiveCall):
            # stays queued: the desk's text reply box is the text channels' work (issue 12)
            raise LookupError(f"this is a {live.transport} conversation: it cannot be answered by voice")
        entry = await self.queues.claim(call_id)
        if entry is None or live is None or live.bridge is None:
            raise LookupError("this call is not waiting (answered by someone else, or ended)")
        try:
            peer, answer = await peer_factory(live)
        except BaseException:
            await self.queues.enqueue(entry)  # put it back where it was
            raise
        self.parties.setdefault(call_id, {})["agent"] = peer
        self.handlers[call_id] = agent
        self.presence[agent] = "busy"
        live.bridge.to_human()
        self._transcribe(live, agent)
        record = await self.calls.services.store.call(call_id)
        agents = list((record or {}).get("meta", {}).get("agents") or [])
        await update_call_meta(self.calls.services.store, call_id,
                               {"assigned_agent": agent, "agents": [*agents, agent]})
        await live.event("agent_answered", agent=agent, waited_s=round(entry.wait_s(), 1))
        self.publish({"type": "answered", "call_id": call_id, "agent": agent, "queue": entry.queue})
        return answer

    async def wrap_up(self, call_id: str, agent: str, notes: str, disposition: str) -> None:
        store = self.calls.services.store
        await update_call_meta(store, call_id, {"disposition": disposition, "wrapup_notes": notes})
        await store.on_event(call_id, "wrapup", {"agent": agent, "disposition": disposition,
                                                 "notes": notes})
        if self.presence.get(agent) == "busy":
            self.set_presence(agent, "available")

    def _transcribe(self, live: LiveCall, agent: str) -> None:
        """The human agent's words, transcribed in the background (voice/human_side.py)."""
        assert live.bridge is not None
        if live.call_id in self.transcribers:
            return
        transcriber = HumanSideTranscriber(live.call_id, live.ctx.services.models, live.ctx.observer,
                                           live.bridge.mixer, agent=agent)
        self.transcribers[live.call_id] = transcriber
        transcriber.start()

    async def _stop_transcriber(self, conv: Conversation) -> None:
        transcriber = self.transcribers.pop(conv.call_id, None)
        if transcriber is not None:
            await transcriber.stop()

    # --- staff peers ---
    async def add_party(self, call_id: str, peer: PartyPeer) -> None:
        """Own `peer` until it is dropped or the call closes (drop any earlier one first)."""
        self.parties.setdefault(call_id, {})[peer.name] = peer

    async def drop_party(self, call_id: str, name: str) -> bool:
        peer = self.parties.get(call_id, {}).pop(name, None)
        if peer is not None:
            await peer.close()
        return peer is not None

    async def _closed(self, live: Conversation) -> None:
        await self.queues.remove(live.call_id)
        for peer in self.parties.pop(live.call_id, {}).values():
            await peer.close()
        self.packages.pop(live.call_id, None)
        agent = self.handlers.pop(live.call_id, None)
        self.publish({"type": "ended", "call_id": live.call_id, "agent": agent})

    async def close(self) -> None:
        for call_id in list(self.transcribers):
            await self.transcribers.pop(call_id).stop()
        for call_id in list(self.parties):
            for peer in self.parties.pop(call_id).values():
                await peer.close()
