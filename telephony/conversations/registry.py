"""Live conversation registry: one entry per active conversation, whatever the channel.

It opens and closes the stored call record, fans the turns and events out to the store
and to live subscribers (softphone transcript, wallboard), and runs each call's pipeline
as one owned task so hang-up and shutdown cancel it. A voice call (`LiveCall`) is a
`Conversation` (telephony/conversations/conversation.py) plus its voice context,
recorder and bridge; a text conversation (`open_text`, driven by telephony/text/) is a
`Conversation` alone. Hang-up, shutdown, the wallboard and every hook apply to both.

Live pub/sub, two levels (in-process; telephony/conversations/feed.py):
- one conversation: `subscribe(call_id)` -> a queue of its messages: {"type": "turn", ...}
  (voice.events.TurnRecord's fields), {"type": "event", "kind", ...}, {"type": "call_ended",
  "reason"} (the softphone's and the desk's live transcript);
- the floor: `watch()` -> a queue of EVERY conversation's messages, each with its "call_id",
  plus {"type": "call_started", "call_id", "channel", "caller_id", "started_at"} and whatever
  the rooms above publish floor-wide with `publish_floor` (the contact center: queue,
  presence and callback changes; telephony/contact_center/handoff.py). The staff consoles
  (wallboard, desk) are built on it: they patch their views from these messages instead
  of polling the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

from pipecat.processors.frame_processor import FrameProcessor
from pipecat.workers.runner import WorkerRunner

from telephony.conversations.conversation import Conversation
from telephony.conversations.feed import Feed, Message
from telephony.conversations.services import ConversationServices, Services
from voice.context import CallContext
from voice.events import CallObserver, FanOutObserver, TurnRecord
from voice.pipeline import CallPipeline, build_call_pipeline
from voice.processors.bridge import CallBridge
from voice.recording import CallRecorder

log = logging.getLogger(__name__)
SUBSCRIBER_QUEUE = 256


@dataclass(kw_only=True, eq=False)
class LiveCall(Conversation):
    """A voice call: a conversation plus its voice context, recorder and bridge."""

    ctx: CallContext
    recorder: CallRecorder | None = None
    bridge: CallBridge | None = None  # human handoff and supervision (telephony/contact_center/handoff.py)

    def __post_init__(self) -> None:
        assert self.ctx.session is not None  # CallContext makes one
        self.session = self.ctx.session

    # the voice context's observer is the one transports extend (Twilio's heard tap)
    async def turn(self, record: TurnRecord) -> None:
        await self.ctx.observer.on_turn(record)

    async def event(self, kind: str, **data: Any) -> None:
        await self.ctx.event(kind, **data)


class _LiveObserver:
    """Store every report, then copy it to the call's live subscribers."""

    def __init__(self, registry: CallRegistry, call_id: str) -> None:
        self._registry = registry
        self._call_id = call_id

    async def on_turn(self, turn: TurnRecord) -> None:
        await self._registry.services.store.on_turn(turn)
        self._registry.publish(self._call_id, {"type": "turn", **asdict(turn)})

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        await self._registry.services.store.on_event(call_id, kind, data)
        self._registry.publish(call_id, {"type": "event", "kind": kind, **data})


ObserverGuard = Callable[[Conversation, CallObserver], CallObserver]
CallHook = Callable[[Conversation], Awaitable[None]]


class CallRegistry:
    """Side concerns attach here, never by being imported from this module. Every hook
    gets a `Conversation`: a `LiveCall` for voice, a plain one for text (no recorder, no
    bridge), so a hook that needs audio checks `isinstance(conv, LiveCall)`.
    - `sinks`: per conversation, one more observer of every turn and event (QA's CSAT recorder);
    - `guards`: per conversation, a wrapper in front of all observers (privacy's PCI guard), in
      order, the last added outermost;
    - `on_open`: as a conversation opens, before it is visible (handoff and supervision);
    - `before_close`: at hang-up, after the recorder is closed and before the record is
      (the PCI guard blanks card speech in the recording there);
    - `on_close`: after the record is closed.
    """

    def __init__(self, services: ConversationServices) -> None:
        self.services = services
        self.active: dict[str, Conversation] = {}
        self.sinks: list[Callable[[Conversation], CallObserver]] = []
        self.guards: list[ObserverGuard] = []
        self.on_open: list[Callable[[Conversation], None]] = []
        self.before_close: list[CallHook] = []
        self.on_close: list[CallHook] = []
        self.floor = Feed()

    @property
    def voice_services(self) -> Services:
        """Models and speech cache, which only voice calls need (`hotline chat` has none)."""
        if not isinstance(self.services, Services):
            raise RuntimeError("voice calls need the voice services (models, speech cache)")
        return self.services

    async def open(self, transport: str, caller_id: str | None = None,
                   call_id: str | None = None, meta: dict[str, Any] | None = None) -> LiveCall:
        call_id = call_id or uuid.uuid4().hex
        recording = self.services.config.data_path / "recordings" / f"{call_id}.wav"
        recorder = CallRecorder(recording)
        ctx = CallContext(call_id=call_id, services=self.voice_services.voice, channel=transport,
                          caller_id=caller_id)
        live = LiveCall(call_id=call_id, transport=transport, caller_id=caller_id, ctx=ctx,
                        recorder=recorder)
        ctx.observer = live.observer = self._observer(live)
        live.bridge = CallBridge(call_id, hold_period_s=self.services.config.routing.hold_period_s)
        await self._admit(live, meta, recording=str(recording))
        return live

    async def open_text(self, channel: str, caller_id: str | None = None,
                        call_id: str | None = None, meta: dict[str, Any] | None = None) -> Conversation:
        """A text conversation (telephony/text/): recorded and hooked like a call, no audio."""
        conv = Conversation(call_id=call_id or uuid.uuid4().hex, transport=channel, caller_id=caller_id)
        conv.observer = self._observer(conv)
        await self._admit(conv, meta, recording=None)
        return conv

    def _observer(self, conv: Conversation) -> CallObserver:
        """The store and live subscribers, then the sinks, behind the guards."""
        observer: CallObserver = _LiveObserver(self, conv.call_id)
        if self.sinks:
            observer = FanOutObserver(observer, *(sink(conv) for sink in self.sinks))
        for guard in self.guards:
            observer = guard(conv, observer)
        return observer

    async def _admit(self, conv: Conversation, meta: dict[str, Any] | None,
                     recording: str | None) -> None:
        """Make the conversation visible (after the on_open hooks) and open its record."""
        self.active[conv.call_id] = conv
        for hook in self.on_open:
            hook(conv)
        await self.services.store.call_started(conv.call_id, conv.transport, conv.caller_id, meta,
                                               recording=recording)
        self.floor.publish({"type": "call_started", "call_id": conv.call_id, "channel": conv.transport,
                            "caller_id": conv.caller_id, "started_at": conv.started_at})
        log.info("call %s: started (%s, caller %s)", conv.call_id, conv.transport,
                 conv.caller_id or "unknown")

    def pipeline(self, live: LiveCall, transport_in: FrameProcessor | None,
                 transport_out: FrameProcessor, *, out_sample_rate_hz: int = 16000) -> CallPipeline:
        """The call's voice pipeline between a transport's input and output, recorded."""
        return build_call_pipeline(live.ctx, self.voice_services.speech_cache, transport_in, transport_out,
                                   out_sample_rate_hz=out_sample_rate_hz, recorder=live.recorder,
                                   bridge=live.bridge)

    def run(self, live: LiveCall, call: CallPipeline) -> asyncio.Task[None]:
        """Run the call's pipeline as the call's one owned task; close the record after."""

        async def _run() -> None:
            runner = WorkerRunner(handle_sigint=False)
            await runner.add_workers(call.worker)
            reason = "completed"
            try:
                await runner.run()
            except asyncio.CancelledError:
                reason = live.end_reason or "cancelled"
                with contextlib.suppress(Exception):
                    await runner.cancel()
                raise
            except Exception:
                reason = "error"
                log.exception("call %s: pipeline failed", live.call_id)
            finally:
                await self.close(live.call_id, live.end_reason or reason)

        live.task = asyncio.create_task(_run(), name=f"call-{live.call_id[:8]}")
        return live.task

    async def close(self, call_id: str, reason: str) -> None:
        live = self.active.pop(call_id, None)
        if live is None:
            return
        live.end_reason = live.end_reason or reason
        live.ended_at = time.time()
        if isinstance(live, LiveCall) and live.recorder is not None:
            live.recorder.close()
        for hook in self.before_close:
            try:
                await hook(live)
            except Exception:
                log.exception("call %s: close hook failed", call_id)
        await self.services.store.call_ended(call_id, live.end_reason)
        for hook in self.on_close:
            try:
                await hook(live)
            except Exception:
                log.exception("call %s: close hook failed", call_id)
        self.publish_to(live, {"type": "call_ended", "reason": live.end_reason})
        log.info("call %s: ended (%s)", call_id, live.end_reason)

    async def hang_up(self, call_id: str, reason: str) -> None:
        live = self.active.get(call_id)
        if live is None:
            return
        live.end_reason = reason
        if live.task is not None and not live.task.done():
            live.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await live.task
        await self.close(call_id, reason)

    async def hang_up_all(self, reason: str) -> None:
        for call_id in list(self.active):
            await self.hang_up(call_id, reason)

    # --- live subscribers ---
    def subscribe(self, call_id: str) -> asyncio.Queue[dict[str, Any]] | None:
        live = self.active.get(call_id)
        if live is None:
            return None
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(SUBSCRIBER_QUEUE)
        live.subscribers.add(queue)
        return queue

    def unsubscribe(self, call_id: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        live = self.active.get(call_id)
        if live is not None:
            live.subscribers.discard(queue)

    def publish(self, call_id: str, message: dict[str, Any]) -> None:
        live = self.active.get(call_id)
        if live is not None:
            self.publish_to(live, message)

    def publish_to(self, live: Conversation, message: dict[str, Any]) -> None:
        for queue in list(live.subscribers):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(message)
        self.floor.publish({**message, "call_id": live.call_id})

    # --- the floor: every conversation at once ---
    def watch(self) -> asyncio.Queue[Message]:
        """Every conversation's messages, and the floor-wide ones (see the module's doc)."""
        return self.floor.subscribe()

    def unwatch(self, queue: asyncio.Queue[Message]) -> None:
        self.floor.unsubscribe(queue)

    def publish_floor(self, message: Message) -> None:
        """A floor-wide message from a room above (it must carry a "type")."""
        self.floor.publish(message)
