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
human side (voice/human_side.py), started when an agent answers, stopped at hang-up. A
caller who hangs up while queued is recorded as the event `queue_abandoned` (queue,
waited_s) for the wallboard's figures.

It also owns the agents' presence (telephony/contact_center/presence.py, with its timeout
sweep), the waiting callers' announcements and callback offer (telephony/contact_center/
waiting.py) and the callback tasks (telephony/contact_center/callbacks.py); `start()` runs
their tasks, `close()` ends them. Every change is published floor-wide on the registry's
live feed (`CallRegistry.publish_floor`: queued, dequeued, answered, ended, presence,
callback, callback_done, supervision), where the desk and the wallboard get it.

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

from telephony.contact_center.callbacks import CallbackBook
from telephony.contact_center.customers import CustomerCard, CustomerDirectory
from telephony.contact_center.desk_peer import PartyPeer
from telephony.contact_center.figures import FiguresCache
from telephony.contact_center.handoff_meta import update_call_meta
from telephony.contact_center.handoff_package import build_package, dialog_package, routing_facts
from telephony.contact_center.presence import AgentPresence, AgentStatus, Presence
from telephony.contact_center.queues import CallQueues, MemoryQueues, QueueEntry
from telephony.contact_center.routing import Router
from telephony.contact_center.waiting import WaitingLine
from telephony.conversations.conversation import Conversation
from telephony.conversations.feed import Message
from telephony.conversations.registry import CallRegistry, LiveCall
from telephony.core.config import ConsolesConfig, RoutingConfig, transfer_target
from voice.human_side import HumanSideTranscriber

log = logging.getLogger(__name__)
MESSAGE_MAX_S = 15.0  # longest wait for the transfer message before an external transfer
NOT_ABANDONED = frozenset({"server_shutdown", "callback", "transferred", "error", "agent_hangup"})


class HandoffService:
    def __init__(self, calls: CallRegistry, cfg: RoutingConfig, queues: CallQueues | None = None,
                 customers: CustomerDirectory | None = None,
                 consoles: ConsolesConfig | None = None) -> None:
        self.calls = calls
        self.customers = customers  # the handoff card's customer lookup (customers.py)
        self.cfg = cfg
        self.consoles = consoles or ConsolesConfig()
        self.router = Router(cfg.rules, cfg.default_queue)
        self.queues: CallQueues = queues or MemoryQueues(self.router.queues())
        self.presence = Presence(self.consoles.presence_timeout_s, self._presence_changed)
        self.packages: dict[str, dict[str, Any]] = {}  # live calls' handoff packages
        self.handlers: dict[str, str] = {}  # call id -> agent user name
        self.answered_at: dict[str, float] = {}  # call id -> when a person took it
        self.parties: dict[str, dict[str, PartyPeer]] = {}
        self.transcribers: dict[str, HumanSideTranscriber] = {}
        self.callbacks = CallbackBook(calls.services.store)
        self.waiting = WaitingLine(calls, self.queues, cfg, self.callbacks, self.publish)
        self.figures = FiguresCache(calls.services.store, self.consoles.figures_window_s,
                                    self.consoles.service_level_s, self.router.queues())
        self._tasks: list[asyncio.Task[None]] = []
        calls.on_open.append(self._attach)
        calls.before_close.append(self._stop_transcriber)
        calls.on_close.append(self._closed)
        calls.sinks.append(self.waiting.listener)

    def start(self) -> None:
        """Run the presence sweep and the queue announcements (the app's lifespan)."""
        self._tasks = [asyncio.create_task(self._sweep(), name="presence-sweep"),
                       asyncio.create_task(self.waiting.run(), name="queue-announcements")]

    async def _sweep(self) -> None:
        period_s = min(1.0, self.presence.timeout_s / 4)
        while True:
            await asyncio.sleep(period_s)
            for agent in self.presence.sweep():
                log.info("agent %s: no desktop heartbeat for %.0f s: offline", agent,
                         self.presence.timeout_s)

    # --- live updates for desks and wallboards: the registry's floor feed ---
    def subscribe(self) -> asyncio.Queue[Message]:
        return self.calls.watch()

    def unsubscribe(self, queue: asyncio.Queue[Message]) -> None:
        self.calls.unwatch(queue)

    def publish(self, message: Message) -> None:
        self.calls.publish_floor(message)

    def _presence_changed(self, entry: AgentPresence) -> None:
        self.publish({"type": "presence", **entry.as_dict()})

    # --- escalation ---
    def _attach(self, conv: Conversation) -> None:
        async def on_escalate(reply: Any) -> None:
            await self.escalate(conv, reply)

        conv.on_escalate = on_escalate
        if isinstance(conv, LiveCall) and conv.bridge is not None:
            conv.bridge.on_escalate = on_escalate
            self.waiting.attach(conv)

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
        self.waiting.joined(entry, position)
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
        return self.presence.anyone_available()

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
    def set_presence(self, agent: str, status: str) -> AgentPresence:
        """The agent's choice: available, busy or away (ValueError otherwise)."""
        return self.presence.set(agent, status)

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
        self.answered_at[call_id] = time.time()
        self.presence.set(agent, AgentStatus.BUSY)
        self.waiting.answered(entry)
        live.bridge.to_human()
        self._transcribe(live, agent)
        record = await self.calls.services.store.call(call_id)
        agents = list((record or {}).get("meta", {}).get("agents") or [])
        await update_call_meta(self.calls.services.store, call_id,
                               {"assigned_agent": agent, "agents": [*agents, agent]})
        await live.event("agent_answered", agent=agent, waited_s=round(entry.wait_s(), 1),
                         queue=entry.queue)
        self.publish({"type": "answered", "call_id": call_id, "agent": agent, "queue": entry.queue})
        return answer

    async def wrap_up(self, call_id: str, agent: str, notes: str, disposition: str) -> None:
        store = self.calls.services.store
        await update_call_meta(store, call_id, {"disposition": disposition, "wrapup_notes": notes})
        await store.on_event(call_id, "wrapup", {"agent": agent, "disposition": disposition,
                                                 "notes": notes})
        if self.presence.of(agent).status is AgentStatus.BUSY:
            self.presence.set(agent, AgentStatus.AVAILABLE)

    def _transcribe(self, live: LiveCall, agent: str) -> None:
        """The human agent's words, transcribed in the background (voice/human_side.py)."""
        assert live.bridge is not None
        if not self.consoles.transcribe_human or live.call_id in self.transcribers:
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
        entry = await self.queues.remove(live.call_id)
        self.waiting.left(live.call_id)
        if entry is not None and (live.end_reason or "") not in NOT_ABANDONED:
            await self.calls.services.store.on_event(live.call_id, "queue_abandoned", {
                "queue": entry.queue, "waited_s": round(entry.wait_s(), 1), "reason": live.end_reason})
            log.info("call %s: abandoned in queue %s after %.0f s", live.call_id, entry.queue,
                     entry.wait_s())
        for peer in self.parties.pop(live.call_id, {}).values():
            await peer.close()
        self.packages.pop(live.call_id, None)
        self.answered_at.pop(live.call_id, None)
        agent = self.handlers.pop(live.call_id, None)
        self.publish({"type": "ended", "call_id": live.call_id, "agent": agent})

    async def close(self) -> None:
        for call_id in list(self.transcribers):
            await self.transcribers.pop(call_id).stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.waiting.close()
        for call_id in list(self.parties):
            for peer in self.parties.pop(call_id).values():
                await peer.close()
