"""Callers waiting in a queue: their place and estimated wait, and the callback offer.

`WaitingLine` (one per app, run by the handoff service) tells every caller on hold, as
soon as the transfer message has played and then every `routing.announce_every_s`, where
they are: "You're number 2 in line. Your estimated wait is about 3 minutes. If you'd rather
be called back, press 1 or say callback." It is spoken by the call's own TTS and output
(voice/processors/bridge.py `say_on_hold`), in a pause of the hold chime, and stored as an
agent turn (intent `queue_position`) with the event `queue_position`.

The offer is made when `routing.callback_offer` is on and the caller id is a number we can
ring. Taking it (keypad 1, or a caller turn saying "callback" / "call me back") while queued
books a callback (telephony/contact_center/callbacks.py; the event `callback_requested`),
takes the call out of the queue, plays the confirmation as the call's last words and hangs
up (end reason `callback`). The key is taken on the bridge (`CallBridge.on_hold_key`), so
the dialog never sees it; the caller's turns reach this as a registry sink (an observer of
every turn and event) before the dialog answers them, and the AI's answer to that turn is
never heard (`letting_go`).

Estimated wait: position x the seconds one caller ahead has cost in this queue, learnt from
the last answered calls (their wait / the position they joined at); until a queue has
answers, `routing.wait_per_caller_s`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from dialog.types import Reply
from telephony.contact_center.callbacks import CallbackBook
from telephony.contact_center.queues import CallQueues, QueueEntry
from telephony.conversations.conversation import Conversation
from telephony.conversations.feed import Message
from telephony.conversations.registry import CallRegistry, LiveCall
from telephony.core.config import RoutingConfig
from voice.events import CallObserver, NullObserver, TurnRecord
from voice.processors.bridge import BridgeMode

log = logging.getLogger(__name__)
TICK_S = 0.5
SAMPLES = 20  # answered calls per queue the estimate learns from
CONFIRM_MAX_S = 20.0  # hang up even if the confirmation was never reported played
HANG_UP_GRACE_S = 1.5  # the far end still holds the last words in its jitter buffer
CALLBACK_WORDS = re.compile(r"\bcall\s*-?\s*(?:me\s+)?back\b|\bcallback\b", re.IGNORECASE)
OFFER = "If you'd rather be called back, press 1 or say callback."
CONFIRMATION = ("Thank you. We'll call you back on the number you're calling from as soon as "
                "a colleague is free. Goodbye.")
NEXT = "You're next in line."
UNDER_A_MINUTE = "Your wait should be less than a minute."
FIXED_PHRASES = (OFFER, CONFIRMATION, NEXT, UNDER_A_MINUTE)  # pre-synthesized at start-up


def can_ring(caller_id: str | None) -> bool:
    """A caller id we could call back: a phone number or a numeric SIP user (not an IP
    address, which is what a web caller without a number has)."""
    text = (caller_id or "").strip()
    if re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", text):
        return False
    return sum(ch.isdigit() for ch in text) >= 5 and re.fullmatch(r"\+?[\d\s().-]+", text) is not None


def announcement(position: int, estimate_s: float, offer: bool) -> str:
    place = NEXT if position <= 1 else f"You're number {position} in line."
    minutes = round(estimate_s / 60)
    wait = (UNDER_A_MINUTE if estimate_s < 60 else
            f"Your estimated wait is about {minutes} minute{'s' if minutes != 1 else ''}.")
    return " ".join([place, wait, *([OFFER] if offer else [])])


class WaitEstimator:
    def __init__(self, fallback_s: float) -> None:
        self.fallback_s = fallback_s
        self._per_caller: dict[str, deque[float]] = {}

    def learn(self, queue: str, waited_s: float, position: int) -> None:
        self._per_caller.setdefault(queue, deque(maxlen=SAMPLES)).append(waited_s / max(1, position))

    def per_caller_s(self, queue: str) -> float:
        samples = self._per_caller.get(queue)
        return sum(samples) / len(samples) if samples else self.fallback_s

    def estimate_s(self, queue: str, position: int) -> float:
        return position * self.per_caller_s(queue)


class WaitingLine:
    def __init__(self, calls: CallRegistry, queues: CallQueues, cfg: RoutingConfig,
                 book: CallbackBook, publish: Callable[[Message], None]) -> None:
        self.calls = calls
        self.queues = queues
        self.cfg = cfg
        self.book = book
        self.publish = publish
        self.estimator = WaitEstimator(cfg.wait_per_caller_s)
        self._joined: dict[str, int] = {}  # call id -> position when it joined its queue
        self._said_at: dict[str, float] = {}  # call id -> monotonic time of the last announcement
        self._offered: set[str] = set()
        self._confirmed: dict[str, asyncio.Future[float]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    # --- what the handoff service tells it ---
    def joined(self, entry: QueueEntry, position: int) -> None:
        self._joined[entry.call_id] = position

    def answered(self, entry: QueueEntry) -> None:
        self.estimator.learn(entry.queue, entry.wait_s(), self._joined.pop(entry.call_id, 1))

    def left(self, call_id: str) -> None:
        for table in (self._joined, self._said_at, self._confirmed):
            table.pop(call_id, None)
        self._offered.discard(call_id)

    # --- announcements ---
    async def run(self) -> None:
        """Announce to every waiting caller when due (the app runs this for its lifetime)."""
        if self.cfg.announce_every_s <= 0:
            return
        while True:
            await asyncio.sleep(TICK_S)
            try:
                await self.announce_due()
            except Exception:
                log.exception("queue announcements failed")

    async def announce_due(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        ahead: dict[str, int] = {}
        for entry in await self.queues.waiting():
            ahead[entry.queue] = position = ahead.get(entry.queue, 0) + 1
            live = self.calls.active.get(entry.call_id)
            if not isinstance(live, LiveCall) or live.bridge is None:
                continue
            bridge = live.bridge
            if bridge.mode is not BridgeMode.HOLD or bridge.letting_go or not bridge.hold_ready():
                continue
            last = self._said_at.get(entry.call_id)
            if last is not None and now - last < self.cfg.announce_every_s:
                continue
            self._said_at[entry.call_id] = now
            estimate_s = self.estimator.estimate_s(entry.queue, position)
            offer = self.cfg.callback_offer and can_ring(live.caller_id)
            text = announcement(position, estimate_s, offer)
            bridge.say_on_hold(Reply(text=text, intent="queue_position", confidence=1.0))
            if offer:
                self._offered.add(entry.call_id)
            await live.event("queue_position", position=position, estimate_s=round(estimate_s),
                             callback_offered=offer)

    # --- the callback offer ---
    def listener(self, conv: Conversation) -> CallObserver:
        """The registry sink: hears a waiting caller take the offer."""
        return _OfferListener(self, conv) if isinstance(conv, LiveCall) else NullObserver()

    def attach(self, live: LiveCall) -> None:
        """As the call opens (an on_open hook, once its bridge exists): the hold keys."""
        if live.bridge is not None:
            live.bridge.on_hold_key = lambda digit: self.key_pressed(live, digit)

    def key_pressed(self, live: LiveCall, digit: str) -> bool:
        """On hold: 1 takes the callback offer (True: the key was ours)."""
        if digit != "1" or live.call_id not in self._offered or live.bridge is None:
            return False
        live.bridge.letting_go = True  # nothing the AI says from now on is heard
        self._spawn(self.take_offer(live, "keypad"), f"callback-{live.call_id[:8]}")
        return True

    def _spawn(self, job: Any, name: str) -> None:
        task = asyncio.create_task(job, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def take_offer(self, live: LiveCall, via: str) -> None:
        if live.call_id not in self._offered or live.bridge is None or live.call_id in self._confirmed:
            return
        entry = await self.queues.remove(live.call_id)
        if entry is None:
            live.bridge.letting_go = False
            return  # answered meanwhile, or no longer queued
        confirmed: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._confirmed[live.call_id] = confirmed
        live.bridge.say_on_hold(Reply(text=CONFIRMATION, intent="callback_confirmed", confidence=1.0),
                                last=True)
        callback = await self.book.add(live.call_id, live.caller_id or "", entry.queue, entry.wait_s())
        log.info("call %s: callback booked (#%d, queue %s, via %s)", live.call_id, callback.id,
                 entry.queue, via)
        await live.event("callback_requested", queue=entry.queue, waited_s=round(entry.wait_s(), 1),
                         callback_id=callback.id, via=via)
        self.publish({"type": "dequeued", "call_id": live.call_id, "queue": entry.queue,
                      "why": "callback"})
        self.publish({"type": "callback", "callback": callback.as_dict()})
        self._spawn(self._let_go(live, confirmed), f"let-go-{live.call_id[:8]}")

    def confirmation_spoken(self, call_id: str, ended_at: float) -> None:
        confirmed = self._confirmed.get(call_id)
        if confirmed is not None and not confirmed.done():
            confirmed.set_result(ended_at)

    async def _let_go(self, live: LiveCall, confirmed: asyncio.Future[float]) -> None:
        """Hang up once the confirmation has played (its turn says when it ends)."""
        try:
            ended_at = await asyncio.wait_for(confirmed, CONFIRM_MAX_S)
            await asyncio.sleep(max(0.0, ended_at - time.time()) + HANG_UP_GRACE_S)
        except TimeoutError:
            log.warning("call %s: the callback confirmation was not reported; hanging up", live.call_id)
        await self.calls.hang_up(live.call_id, "callback")

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


class _OfferListener:
    """One call's sink: a caller turn saying "callback"; the confirmation's turn."""

    def __init__(self, line: WaitingLine, live: LiveCall) -> None:
        self._line = line
        self._live = live

    async def on_turn(self, turn: TurnRecord) -> None:
        if turn.speaker == "caller" and CALLBACK_WORDS.search(turn.text):
            await self._line.take_offer(self._live, "speech")
        elif turn.speaker == "agent" and turn.meta.get("intent") == "callback_confirmed":
            self._line.confirmation_spoken(self._live.call_id, turn.ended_at)

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        return None
